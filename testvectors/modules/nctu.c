/*
 * nctu.c: the NCTU HW4 kernel work as a Trapdoor module, written against
 * `current`, find_task_by_vpid and send_sig_info as the handout does:
 *
 *   change_cmdline (504): copy the caller's command line (arg_start ..
 *     arg_end of current->mm) to `old`, then make `new` the command line,
 *     in place when it fits, else in a fresh mapping (arg_start and
 *     arg_end moved), so ps and /proc/PID/cmdline show it.
 *   task_info (505): pid, ppid, state, uid and comm of a task (pid 0: the
 *     caller).
 *   kernel_signal (506): the kernel sends a signal with si_code SI_KERNEL.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/syscalls.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/mman.h>

MODULE_LICENSE("GPL");

#define CMDLINE_MAX 4096

struct task_info {
	int pid;
	int ppid;
	int state;
	int uid;
	char comm[16];
};

SYSCALL_DEFINE4(change_cmdline, char __user *, old, long, oldlen, const char __user *, new, long, newlen)
{
	struct mm_struct *mm = current->mm;
	unsigned long cur_len = mm->arg_end - mm->arg_start;
	char *args, *cur;
	long ret;

	if (oldlen < 0 || newlen <= 0 || newlen > CMDLINE_MAX)
		return -EINVAL;
	if (!new)
		return -EFAULT;
	args = kmalloc(newlen + 1, GFP_KERNEL);
	cur = kmalloc(cur_len + 1, GFP_KERNEL);
	if (!args || !cur) {
		ret = -ENOMEM;
		goto out;
	}
	if (copy_from_user(args, new, newlen)) {
		ret = -EFAULT;
		goto out;
	}
	if (args[newlen - 1] != '\0')
		args[newlen++] = '\0';
	/* The current command line lives in the caller's memory. */
	if (copy_from_user(cur, (const char __user *)mm->arg_start, cur_len)) {
		ret = -EFAULT;
		goto out;
	}
	if (oldlen > 0) {
		if (!old || copy_to_user(old, cur, min((unsigned long)oldlen, cur_len))) {
			ret = -EFAULT;
			goto out;
		}
	}
	if ((unsigned long)newlen <= cur_len) {
		if (copy_to_user((char __user *)mm->arg_start, args, newlen)) {
			ret = -EFAULT;
			goto out;
		}
		mm->arg_end = mm->arg_start + newlen;
	} else {
		unsigned long addr = vm_mmap(NULL, 0, newlen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0);

		if (IS_ERR_VALUE(addr)) {
			ret = -ENOMEM;
			goto out;
		}
		if (copy_to_user((char __user *)addr, args, newlen)) {
			vm_munmap(addr, newlen);
			ret = -EFAULT;
			goto out;
		}
		mm->arg_start = addr;
		mm->arg_end = addr + newlen;
	}
	ret = cur_len;
out:
	kfree(args);
	kfree(cur);
	return ret;
}

SYSCALL_DEFINE2(task_info, int, pid, struct task_info __user *, out)
{
	struct task_struct *task = pid ? find_task_by_vpid(pid) : current;
	struct task_info info;

	if (pid < 0 || !task)
		return -ESRCH;
	memset(&info, 0, sizeof(info));
	info.pid = task->pid;
	info.ppid = task->real_parent ? task->real_parent->tgid : 0;
	info.state = task->state; /* a zombie's is TASK_DEAD, set by do_task_dead() */
	info.uid = __kuid_val(task->cred->uid);
	strlcpy(info.comm, task->comm, sizeof(info.comm));
	if (!out || copy_to_user(out, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(kernel_signal, int, pid, int, sig)
{
	struct task_struct *task;
	struct siginfo info;

	if (sig < 0 || sig > 64)
		return -EINVAL;
	task = pid ? find_task_by_vpid(pid) : current;
	if (pid < 0 || !task)
		return -ESRCH;
	if (sig == 0)
		return 0;
	memset(&info, 0, sizeof(struct siginfo));
	info.si_signo = sig;
	info.si_code = SI_KERNEL;
	return send_sig_info(sig, &info, task);
}

TRAPDOOR_SYSCALL(504, sys_change_cmdline, 4);
TRAPDOOR_SYSCALL(505, sys_task_info, 2);
TRAPDOOR_SYSCALL(506, sys_kernel_signal, 2);
