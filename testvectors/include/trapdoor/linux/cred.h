#ifndef _TRAPDOOR_LINUX_CRED_H
#define _TRAPDOOR_LINUX_CRED_H

#include <linux/types.h>

struct cred {
	atomic_t usage;
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
};

#define __kuid_val(uid) ((uid).val)
#define __kgid_val(gid) ((gid).val)
#define current_cred() (current->cred)
#define current_uid() (current->cred->uid)
#define current_gid() (current->cred->gid)
#define current_euid() (current->cred->euid)
#define current_egid() (current->cred->egid)
#define task_uid(task) ((task)->cred->uid)
#define from_kuid(ns, uid) ((uid).val)

#endif
