package oci

import (
	"errors"
	"slices"
	"strings"
)

// processArgs applies the kubelet's rule for what a container runs:
//
//	command and args unset: image ENTRYPOINT + CMD
//	command set:            command + args (the image's CMD is dropped too)
//	only args set:          image ENTRYPOINT + args
//
// $(VAR) references in command and args are expanded from env.
func processArgs(entrypoint, cmd, command, args []string, env map[string]string) ([]string, error) {
	var out []string
	switch {
	case len(command) > 0:
		out = append(expandAll(command, env), expandAll(args, env)...)
	case len(args) > 0:
		out = append(slices.Clone(entrypoint), expandAll(args, env)...)
	default:
		out = append(slices.Clone(entrypoint), cmd...)
	}
	if len(out) == 0 {
		return nil, errors.New("no command specified: the image has no ENTRYPOINT or CMD and the container sets no command")
	}
	return out, nil
}

func expandAll(in []string, env map[string]string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = expand(s, env)
	}
	return out
}

// expand replaces $(NAME) with NAME's value when NAME is defined and leaves
// the reference as written otherwise; "$$" is an escaped "$", so "$$(X)"
// yields a literal "$(X)". This is Kubernetes' rule for command, args and
// env values.
func expand(s string, env map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i += 2
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 { // unterminated: the rest is literal
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := env[name]; ok && name != "" {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 3 + end
		default:
			b.WriteString(s[i : i+2])
			i += 2
		}
	}
	return b.String()
}
