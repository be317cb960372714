/* Stub of Windows' bcryptprimitives.dll for Wine 8.0, which lacks it: Go >= 1.24
 * Windows programs need its ProcessPrng at start. RtlGenRandom (advapi32's
 * SystemFunction036) fills the buffer from Wine's system random source.
 * Test-only: built by cmd/acc/wine_test.go into the test's Wine prefix. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
