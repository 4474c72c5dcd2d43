// SPDX-License-Identifier: GPL-2.0
/*
 * handoff: zero-loss network cutover for Xen live migration.
 *
 * Module init/exit and per network namespace state. Each netns is one "host":
 * its own session table, sysctls and (later) tunnel socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/genetlink.h>

#include "handoff.h"

unsigned int handoff_net_id __read_mostly;

static int __net_init handoff_net_init(struct net *net)
{
	struct handoff_net *hn = handoff_pernet(net);

	int err;

	hn->net = net;
	hash_init(hn->sessions);
	hash_init(hn->capture);
	hash_init(hn->vifs);
	INIT_LIST_HEAD(&hn->sources);
	INIT_LIST_HEAD(&hn->ovs_ports);
	spin_lock_init(&hn->capture_lock);
	handoff_sysctl_defaults(&hn->sysctl);
	hn->stats = alloc_percpu(struct handoff_stats);
	if (!hn->stats)
		return -ENOMEM;
	err = handoff_sysctl_register(hn);
	if (err)
		free_percpu(hn->stats);
	return err;
}

static void __net_exit handoff_net_exit(struct net *net)
{
	struct handoff_net *hn = handoff_pernet(net);

	handoff_sessions_flush(hn);
	handoff_sysctl_unregister(hn);
	free_percpu(hn->stats);
}

static struct pernet_operations handoff_net_ops = {
	.init = handoff_net_init,
	.exit = handoff_net_exit,
	.id = &handoff_net_id,
	.size = sizeof(struct handoff_net),
};

static int __init handoff_init(void)
{
	int err;

	err = register_pernet_subsys(&handoff_net_ops);
	if (err)
		return err;
	err = handoff_device_init();
	if (err)
		goto err_pernet;
	err = handoff_genl_init();
	if (err)
		goto err_device;
	pr_info("version %s loaded\n", HANDOFF_VERSION);
	return 0;

err_device:
	handoff_device_exit();
	handoff_wq_exit();
err_pernet:
	unregister_pernet_subsys(&handoff_net_ops);
	return err;
}

static void __exit handoff_exit(void)
{
	/* No new commands first, then no device events, then tear down. */
	handoff_genl_exit();
	handoff_device_exit();
	unregister_pernet_subsys(&handoff_net_ops);
	handoff_wq_exit();
	rcu_barrier();
	pr_info("unloaded\n");
}

module_init(handoff_init);
module_exit(handoff_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Zero-loss network cutover for Xen live migration");
MODULE_VERSION(HANDOFF_VERSION);
MODULE_ALIAS_GENL_FAMILY(HANDOFF_GENL_NAME);
