package runc

import "syscall"

const nonblock = syscall.O_NONBLOCK
