// Package gitstore is acc's only door to Git: it finds the repository that holds a
// case-file folder, serialises acc processes on a per-repository lock, writes case files
// atomically, records them as commits, and reads history back.
//
// # Writing the way Git does
//
// go-git's worktree API is not used for writing: it rewrites .git/index and refs in
// place, without lock files, fsync or reflog, and costs seconds on large repositories
// (../../../shared/GROUND.md). A commit here is built with plumbing:
//
//   - case files are written to a temporary file in their folder (0600, folders 0700),
//     fsynced, renamed (or hard-linked, for an exclusive creation that must not replace
//     a document), and the folder is fsynced;
//   - index.lock, then the branch's <ref>.lock, are created exclusively (Git's own lock
//     protocol: a git command running meanwhile waits or fails cleanly), then HEAD's
//     branch is read;
//   - loose objects (zlib of "<type> <size>\x00<data>") are written to temporary files,
//     fsynced together, renamed into objects/xx/ and their folders fsynced, before any
//     reference points to them (go-git's object writer does not fsync);
//   - only the trees on the changed paths are rewritten, bottom-up from HEAD's tree, so
//     the cost grows with the size of those trees, never with the number of files;
//   - meanwhile the index is updated by splicing the changed entries into its raw bytes
//     (go-git's codec decodes and re-encodes every entry and drops the cache-tree):
//     other entries stay byte for byte, the cache-tree (TREE) is invalidated only along
//     the changed paths, extensions that index entry positions (UNTR, FSMN, EOIE, IEOT)
//     are dropped. Versions 2, 3 and 4 are handled; a split index ("link") or a sparse
//     index ("sdir") is refused with a French error saying how to convert it. The old
//     index is mapped (as Git does), its checksum verified while the new one is
//     written, and the new one is handed to the disk by chunks as it is written, so that
//     its fsync has little left to wait for;
//   - the branch is checked again (compare-and-swap: programs like go-git move refs
//     without locks; the commit is then rebuilt on the new head), the journal is written,
//     index.lock is renamed over the index, then the new ref into place (in that order:
//     git commit reads HEAD, then the index, and commits that index on top of that HEAD;
//     it must never see our commit with the index from before it), and reflog lines are
//     appended to the branch's log and logs/HEAD.
//
// # Lock, crash safety, recovery
//
// Everything that writes happens under acc's lock: a flock(2) on <common git
// dir>/acc/lock, which the kernel releases when the process dies. Waiting blocks in
// flock rather than polling, so a waiting acc is not starved by a script running acc in
// a loop. The lock file is never deleted: a clean release empties it. While held, it
// holds the holder's "PID host since" line, then records of what the holder is doing:
// each temporary file it is about to create, each Git lock file it creates (with the
// name of a temporary twin, a second hard link to the same inode kept until the lock is
// released), and, just before the branch moves, a journal (branch, old and new commit,
// index path, changed paths), fsynced.
//
// A process that takes the lock and finds that content left behind knows the holder
// died. It says so on stderr ("acc : verrou abandonné par le processus 1234 (mort)
// levé"), removes the temporary files and exactly the Git lock files that are still the
// same inode as their twin (a lock file created later by a running git command is a
// different file and stays), then, if the branch did move to the journal's commit,
// finishes the index update from that commit's tree and appends any missing reflog line
// (roll-forward); if it did not, the commit never happened, the index entries of the
// journal's paths are put back if the index had already moved, and the written files
// stay on disk as uncommitted changes. A kill at any moment thus leaves git fsck --strict
// clean, git status readable, and every commit Commit returned present.
//
// # Limits
//
// SHA-256 repositories, reftable refs and bare repositories are refused. Files are
// hashed as they are on disk: .gitattributes filters are not applied (neither does
// go-git). Hooks are not run. Loose objects are never packed: git gc (or git
// maintenance) does it. Written for Linux and macOS; on Windows it compiles (the
// holder's line goes to acc/lock.info, a dead holder is not recognised as dead) but is
// untested.
//
// go-git is used only to read objects (packed ones in particular) and to resolve
// revisions (HEAD~2, short hashes), over a storage that hides the repository's config:
// git.Open refuses repositories with extensions.worktreeConfig.
package gitstore
