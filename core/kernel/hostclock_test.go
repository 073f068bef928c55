package kernel_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"trapdoor/core/kernel"
)

// pacedShell starts busybox sh -c script on a terminal console, with the
// clock paced by the test (HostClock) or not.
func pacedShell(t *testing.T, script string, hostClock bool) (*kernel.Kernel, *bytes.Buffer) {
	data, err := os.ReadFile(filepath.Join(vectorRoot, "bin", "thirdparty", "busybox"))
	if err != nil {
		t.Skipf("no busybox binary: %v", err)
	}
	screen := &bytes.Buffer{}
	k := kernel.New(kernel.Config{Stdin: kernel.Stdio{Kind: kernel.StdioTTY}, Terminal: true, HostClock: hostClock,
		Stdout: kernel.Stdio{W: screen, Kind: kernel.StdioTTY}, Stderr: kernel.Stdio{W: screen, Kind: kernel.StdioTTY},
		Seed: 3})
	k.Install("/bin/busybox", data)
	_, err = k.Start("/bin/busybox", []string{"sh", "-c", script}, []string{"PATH=/bin"})
	require.NoError(t, err)
	return k, screen
}

// runUntilWait runs until every task waits (for input or time) or all
// have ended.
func runUntilWait(t *testing.T, k *kernel.Kernel) (done bool) {
	for i := 0; i < 10000; i++ {
		done, _, err := k.RunFor(1e6)
		require.NoError(t, err)
		if done || k.AwaitingInput() {
			return done
		}
	}
	t.Fatal("the machine never waits")
	return false
}

// TestHostClockSleepWaitsForTheHost: with a paced clock a sleep does not
// jump to its deadline; the task wakes once the host has advanced the
// clock past it, and not a nanosecond before.
func TestHostClockSleepWaitsForTheHost(t *testing.T) {
	k, screen := pacedShell(t, "echo start; sleep 2; echo woke", true)
	require.False(t, runUntilWait(t, k))
	require.Equal(t, "start\r\n", screen.String())
	left, ok := k.NextTimer()
	require.True(t, ok, "the sleep's timer is pending")
	require.InDelta(t, float64(2*time.Second), float64(left), float64(10*time.Millisecond))
	up := k.Uptime()

	// Waiting again without time passing keeps it asleep.
	require.False(t, runUntilWait(t, k))
	require.Equal(t, up, k.Uptime(), "no time passes while the host gives none")

	k.AdvanceClock(time.Second)
	require.True(t, k.AwaitingInput(), "woke after 1 s of a 2 s sleep")
	require.Equal(t, up+time.Second, k.Uptime())
	left2, ok := k.NextTimer()
	require.True(t, ok)
	require.Equal(t, left-time.Second, left2)
	left = left2
	k.AdvanceClock(left - 1)
	require.True(t, k.AwaitingInput(), "woke a nanosecond early")
	require.False(t, runUntilWait(t, k))
	require.Equal(t, "start\r\n", screen.String())

	k.AdvanceClock(1)
	require.False(t, k.AwaitingInput(), "the due timer fired: the sleeper runs")
	require.True(t, runUntilWait(t, k))
	require.Equal(t, "start\r\nwoke\r\n", screen.String())
}

// TestHostClockBackgroundJobWhileReading: the shell reads the terminal
// while a background job sleeps; the machine waits for both (a timer is
// pending), the job prints once its time has passed, then only keys are
// awaited (no timer).
func TestHostClockBackgroundJobWhileReading(t *testing.T) {
	k, screen := pacedShell(t, "(sleep 1; echo bg done) & read x; wait; echo got $x", true)
	require.False(t, runUntilWait(t, k))
	_, ok := k.NextTimer()
	require.True(t, ok, "the job's sleep is pending")
	for i := 0; i < 9; i++ {
		k.AdvanceClock(100 * time.Millisecond)
		require.False(t, runUntilWait(t, k))
	}
	require.Empty(t, screen.String(), "the job woke before 1 s had passed")
	k.AdvanceClock(100 * time.Millisecond)
	require.False(t, runUntilWait(t, k))
	require.Equal(t, "bg done\r\n", screen.String())
	_, ok = k.NextTimer()
	require.False(t, ok, "only keys are awaited now")
	require.True(t, k.AwaitingInput())
	k.ConsoleInput([]byte("key\n"))
	require.True(t, runUntilWait(t, k))
	require.Equal(t, "bg done\r\nkey\r\ngot key\r\n", screen.String())
}

// TestHostClockReplays: the same inputs at the same points give the same
// run (instructions, clock, output): the kernel never reads the host's
// clock.
func TestHostClockReplays(t *testing.T) {
	run := func() (uint64, time.Duration, string) {
		k, screen := pacedShell(t, "(sleep 0.3; echo a) & sleep 0.5; echo b; read x; echo $x", true)
		steps := 0
		for done := false; !done; steps++ {
			require.Less(t, steps, 1000)
			done = runUntilWait(t, k)
			if done {
				break
			}
			if _, ok := k.NextTimer(); ok {
				k.AdvanceClock(70 * time.Millisecond)
			} else {
				k.ConsoleInput([]byte("typed\n"))
			}
		}
		return k.Instructions(), k.Uptime(), screen.String()
	}
	n1, up1, out1 := run()
	n2, up2, out2 := run()
	require.Equal(t, "a\r\nb\r\ntyped\r\ntyped\r\n", out1)
	require.Equal(t, out1, out2)
	require.Equal(t, n1, n2)
	require.Equal(t, up1, up2)
}

// TestVirtualClockStillJumps: without HostClock (the CLI, scenarios,
// grading), and with it under Run rather than RunFor, a sleep jumps the
// virtual clock to its deadline: no waiting, yet the time has passed.
func TestVirtualClockStillJumps(t *testing.T) {
	for _, c := range []struct {
		name           string
		hostClock, run bool
	}{{"virtual RunFor", false, false}, {"host clock under Run", true, true}} {
		t.Run(c.name, func(t *testing.T) {
			k, screen := pacedShell(t, "sleep 2; echo woke", c.hostClock)
			start := time.Now()
			if c.run {
				_, err := k.Run()
				require.NoError(t, err)
			} else {
				require.True(t, runUntilWait(t, k), "waited: %q", screen.String())
			}
			require.Equal(t, "woke\r\n", screen.String())
			require.GreaterOrEqual(t, k.Uptime(), 2*time.Second)
			require.Less(t, time.Since(start), 2*time.Second, "slept in real time")
		})
	}
}
