package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// What Linux's /proc says about a process and a core: the server under test is charged for exactly the CPU it used
// in a window (utime + stime of all its threads, the same figure dev.herald.bench.ProcCpu reads), at the kernel's
// tick resolution (1/USER_HZ s, 10 ms): windows are seconds long.

var ticksPerSecond = func() float64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err == nil {
		if v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64); err == nil && v > 0 {
			return v
		}
	}
	return 100
}()

// cpuSeconds is utime + stime of pid ("self" for this process), or -1 when it cannot be read.
func cpuSeconds(pid string) float64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return -1
	}
	s := string(b)
	// the command name (field 2) is in parentheses and may hold spaces: count fields after its closing one
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseFloat(f[11], 64) // field 14
	stime, err2 := strconv.ParseFloat(f[12], 64) // field 15
	if err1 != nil || err2 != nil {
		return -1
	}
	return (utime + stime) / ticksPerSecond
}

// rssKb is VmRSS of pid in kB, or -1.
func rssKb(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line[6:])
			if len(f) > 0 {
				if v, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return v
				}
			}
		}
	}
	return -1
}

// coreBusySeconds is the time core spent neither idle nor in iowait since boot (/proc/stat), or -1: what ran on the
// server's core besides the server is this minus the server's own CPU.
func coreBusySeconds(core int) float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	prefix := "cpu" + strconv.Itoa(core) + " "
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		f := strings.Fields(line)
		var busy float64
		for i := 1; i < len(f) && i <= 8; i++ {
			if i == 4 || i == 5 { // idle, iowait
				continue
			}
			v, _ := strconv.ParseFloat(f[i], 64)
			busy += v
		}
		return busy / ticksPerSecond
	}
	return -1
}

// jitSeconds is the CPU time of pid's JIT compiler threads (a JVM's "C1 CompilerThre…" and "C2 CompilerThre…"; 0
// for a process without them), or -1. Compiling runs on the server's one core beside its event loop and counts in
// its CPU seconds: a window with compiler time measured the JVM warming up, not its steady state.
func jitSeconds(pid string) float64 {
	tasks, err := os.ReadDir("/proc/" + pid + "/task")
	if err != nil {
		return -1
	}
	var total float64
	for _, t := range tasks {
		comm, err := os.ReadFile("/proc/" + pid + "/task/" + t.Name() + "/comm")
		if err != nil || !(strings.HasPrefix(string(comm), "C1 ") || strings.HasPrefix(string(comm), "C2 ")) {
			continue
		}
		if s := cpuSeconds(pid + "/task/" + t.Name()); s > 0 {
			total += s
		}
	}
	return total
}
