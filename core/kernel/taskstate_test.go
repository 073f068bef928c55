package kernel

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A task asleep in module code shows, through task_info, the state
// Linux 4.15 sleeps in there: msleep (schedule_timeout_uninterruptible)
// and down TASK_UNINTERRUPTIBLE, down_interruptible and
// wait_event_interruptible TASK_INTERRUPTIBLE, wait_event_killable
// TASK_KILLABLE.
func TestModuleSleepStates(t *testing.T) {
	mod := kmodBuild(t, filepath.Join("testdata", "kmod_sync.c"))
	m := kmodMachine(t, Config{Seed: 1}, map[string][]byte{"kmod_sync": mod})
	out := m.run(t, kmodProg(t, "kmod_state_user"), "kmod_state_user")
	require.Equal(t, "msleep: state 2\n"+
		"down: state 2\n"+
		"down_interruptible: state 1\n"+
		"wait_event_interruptible: state 1\n"+
		"wait_event_killable: state 258\n", out, m.log())
}

// Waiting for a mutex is TASK_UNINTERRUPTIBLE (mutex_lock); a task
// asleep outside module code is TASK_INTERRUPTIBLE.
func TestModuleMutexSleepState(t *testing.T) {
	m := kmodSyncStarted(t)
	seen := map[string]map[uint32]bool{}
	for i := 0; i < 100000; i++ {
		done, _, err := m.k.RunFor(2000)
		require.NoError(t, err)
		for pid, x := range m.k.Tasks {
			if x.state != taskSleeping {
				continue
			}
			where := "outside modules"
			if _, w, ok := m.k.ModuleContext(pid); ok {
				where = w
			}
			if seen[where] == nil {
				seen[where] = map[uint32]bool{}
			}
			seen[where][linuxTaskState(x)] = true
		}
		if done {
			break
		}
	}
	require.Equal(t, map[uint32]bool{linuxTaskUninterruptible: true}, seen["mutex_lock+0x0/0x8"], "%v", seen)
	require.Equal(t, map[uint32]bool{linuxTaskInterruptible: true}, seen["outside modules"], "%v", seen)
}

// The names the trace gives task_info's state.
func TestTaskStateNames(t *testing.T) {
	for v, name := range map[uint32]string{0: "TASK_RUNNING", 1: "TASK_INTERRUPTIBLE", 2: "TASK_UNINTERRUPTIBLE",
		128: "TASK_DEAD", 258: "TASK_KILLABLE", 260: "TASK_STOPPED", 264: "TASK_TRACED", 4: "4"} {
		require.Equal(t, name, taskStateName(v))
	}
}
