package volume

import (
	"fmt"
	"path/filepath"
	"strings"
)

// ExpandSubPathExpr replaces $(VAR) with the container's environment, as
// the kubelet does for volumeMounts[].subPathExpr: $$ is a literal $, and
// a reference to an unknown variable stays as written.
func ExpandSubPathExpr(expr string, env map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(expr); i++ {
		if expr[i] != '$' || i+1 >= len(expr) {
			b.WriteByte(expr[i])
			continue
		}
		switch expr[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(expr[i+2:], ')')
			if end < 0 {
				b.WriteString(expr[i:])
				return b.String()
			}
			name := expr[i+2 : i+2+end]
			if v, ok := env[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(expr[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

// SubPathHost joins a volume's host path with a (sub)path, refusing what
// the API refuses: absolute paths and any ".." element.
func SubPathHost(root, sub string) (string, error) {
	if filepath.IsAbs(sub) {
		return "", fmt.Errorf("subPath %q must be a relative path", sub)
	}
	for _, el := range strings.Split(filepath.ToSlash(sub), "/") {
		if el == ".." {
			return "", fmt.Errorf("subPath %q must not contain '..'", sub)
		}
	}
	return filepath.Join(root, filepath.Clean("/"+sub)), nil
}
