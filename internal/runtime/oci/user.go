package oci

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// userInput is what decides a container's identity.
type userInput struct {
	imageUser    string // the image's USER: "", "uid", "name", "uid:gid", "name:group"
	runAsUser    *int64
	runAsGroup   *int64
	runAsNonRoot bool
	supplemental []int64
	fsGroup      *int64
	fsys         fs.FS // image root filesystem; nil: numeric users only
}

// resolveUser follows the kubelet and containerd: runAsUser wins over the
// image's user (and then the image's group is ignored too), runAsGroup wins
// over any group; a user without a group gets the primary group from the
// image's /etc/passwd, or 0. The user's groups in /etc/group, the pod's
// supplementalGroups and its fsGroup become additional groups.
func resolveUser(in userInput) (specs.User, error) {
	var u specs.User
	userPart, groupPart, _ := strings.Cut(in.imageUser, ":")
	users, groups, err := readAccounts(in.fsys)
	if err != nil {
		return u, err
	}
	name := ""
	byUID := func(uid uint32) {
		u.UID = uid
		if e, ok := users.byID(uid); ok {
			u.GID, name = e.id2, e.name
		}
	}
	switch {
	case in.runAsUser != nil:
		byUID(uint32(*in.runAsUser))
	case userPart == "":
		byUID(0)
	case isNumeric(userPart):
		n, _ := strconv.ParseUint(userPart, 10, 32)
		byUID(uint32(n))
	default:
		if in.runAsNonRoot {
			return u, fmt.Errorf("container has runAsNonRoot and image has non-numeric user (%s), cannot verify user is non-root", userPart)
		}
		e, ok := users.byName(userPart)
		if !ok {
			return u, fmt.Errorf("unable to find user %s in the image's /etc/passwd", userPart)
		}
		u.UID, u.GID, name = e.id, e.id2, e.name
	}
	if in.runAsUser == nil && groupPart != "" {
		if isNumeric(groupPart) {
			n, _ := strconv.ParseUint(groupPart, 10, 32)
			u.GID = uint32(n)
		} else {
			e, ok := groups.byName(groupPart)
			if !ok {
				return u, fmt.Errorf("unable to find group %s in the image's /etc/group", groupPart)
			}
			u.GID = e.id
		}
	}
	if in.runAsGroup != nil {
		u.GID = uint32(*in.runAsGroup)
	}
	if in.runAsNonRoot && u.UID == 0 {
		return u, errors.New("container has runAsNonRoot and image will run as root")
	}
	add := func(g uint32) {
		if !slices.Contains(u.AdditionalGids, g) {
			u.AdditionalGids = append(u.AdditionalGids, g)
		}
	}
	if name != "" {
		for _, g := range groups {
			if slices.Contains(g.members, name) {
				add(g.id)
			}
		}
	}
	for _, g := range in.supplemental {
		add(uint32(g))
	}
	if in.fsGroup != nil {
		add(uint32(*in.fsGroup))
	}
	return u, nil
}

func isNumeric(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// account is one line of /etc/passwd (id=uid, id2=gid) or /etc/group
// (id=gid, members).
type account struct {
	name    string
	id, id2 uint32
	members []string
}

type accounts []account

func (a accounts) byID(id uint32) (account, bool) {
	for _, e := range a {
		if e.id == id {
			return e, true
		}
	}
	return account{}, false
}

func (a accounts) byName(name string) (account, bool) {
	for _, e := range a {
		if e.name == name {
			return e, true
		}
	}
	return account{}, false
}

// readAccounts parses etc/passwd and etc/group of the image; missing files
// are empty.
func readAccounts(fsys fs.FS) (users, groups accounts, err error) {
	if fsys == nil {
		return nil, nil, nil
	}
	if users, err = parseAccounts(fsys, "etc/passwd", false); err != nil {
		return nil, nil, err
	}
	groups, err = parseAccounts(fsys, "etc/group", true)
	return users, groups, err
}

func parseAccounts(fsys fs.FS, name string, isGroup bool) (accounts, error) {
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out accounts
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ":")
		if len(fields) < 3 || (!isGroup && len(fields) < 4) {
			continue
		}
		id, err := strconv.ParseUint(fields[2], 10, 32)
		if err != nil {
			continue
		}
		e := account{name: fields[0], id: uint32(id)}
		if isGroup {
			if len(fields) > 3 && fields[3] != "" {
				e.members = strings.Split(fields[3], ",")
			}
		} else if id2, err := strconv.ParseUint(fields[3], 10, 32); err == nil {
			e.id2 = uint32(id2)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
