package report

import (
	"reflect"

	"github.com/acc-formation/acc/validate"
)

// maskSensitive replaces, in every string a built report holds (values,
// document texts, finding messages), each NIR and IBAN that donnee-sensible
// flags by a placeholder (validate.MaskSensitive): a report is shared with
// auditors and funders, and must never repeat such data, whichever field or
// document it was typed in. v is a pointer to the report.
func maskSensitive(v any) {
	maskValue(reflect.ValueOf(v))
}

func maskValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			maskValue(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				maskValue(f)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			maskValue(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			maskValue(e)
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); s != "" {
				if m := validate.MaskSensitive(s); m != s {
					v.SetString(m)
				}
			}
		}
	}
}
