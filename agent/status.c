// SPDX-License-Identifier: GPL-2.0
#include "status.h"

#include <stdio.h>

#include "names.h"
#include "parse.h"
#include "xenvm.h"

static void vif_json(struct hc_json *j, const struct hd_mig_vif *v)
{
	char mac[HC_MAC_STRLEN], id[24];

	hc_fmt_mac(mac, v->mac);
	snprintf(id, sizeof(id), "0x%llx", (unsigned long long)v->id);
	hc_json_obj_begin(j);
	hc_json_kv_str(j, "session", id);
	hc_json_kv_u64(j, "devid", v->devid);
	hc_json_kv_str(j, "mac", mac);
	hc_json_kv_str(j, "ifname", v->ifname);
	hc_json_kv_bool(j, "attached", v->attached);
	hc_json_kv_str(j, "kernel_state", v->made ? hc_state_name(v->kstate) : "none");
	hc_json_obj_end(j);
}

void hd_status_json(struct hc_json *j, const struct hd_engine *e, uint64_t now_ms)
{
	const struct hd_mig *m;
	char uuid[37], peer[HC_SOCKADDR_STRLEN];
	unsigned int i;

	hc_json_obj_begin(j);
	hc_json_kv_u64(j, "tunnel_port", e->tunnel_port);
	hc_json_kv_str(j, "arm_point", e->cfg->arm_point == HD_ARM_REQUEST ? "request" :
		       "suspended");
	hc_json_kv_bool(j, "divert", e->cfg->divert);
	hc_json_key(j, "migrations");
	hc_json_arr_begin(j);
	for (m = e->migs; m; m = m->next) {
		hx_uuid_format(m->uuid, uuid);
		if (hc_fmt_sockaddr(peer, &m->peer, m->peer_len))
			snprintf(peer, sizeof(peer), "-");
		hc_json_obj_begin(j);
		hc_json_kv_str(j, "vm", m->name);
		hc_json_kv_str(j, "uuid", uuid);
		hc_json_kv_str(j, "role", hc_role_name(m->role));
		hc_json_kv_str(j, "state", hd_mig_state_name(m->state));
		if (m->has_domid)
			hc_json_kv_u64(j, "domid", m->domid);
		hc_json_kv_str(j, "peer", peer);
		hc_json_kv_bool(j, "peer_connected", m->chan != NULL);
		hc_json_kv_u64(j, "age_ms", now_ms - m->t_begin_ms);
		hc_json_key(j, "vifs");
		hc_json_arr_begin(j);
		for (i = 0; i < m->nvifs; i++)
			vif_json(j, &m->vifs[i]);
		hc_json_arr_end(j);
		hc_json_obj_end(j);
	}
	hc_json_arr_end(j);
	hc_json_obj_end(j);
}

void hd_status_text(FILE *f, const struct hd_engine *e, uint64_t now_ms)
{
	const struct hd_mig *m;
	char uuid[37], peer[HC_SOCKADDR_STRLEN], mac[HC_MAC_STRLEN];
	unsigned int i;

	fprintf(f, "handoffd: tunnel port %u, arm point %s%s, %u migration(s)\n", e->tunnel_port,
		e->cfg->arm_point == HD_ARM_REQUEST ? "request" : "suspended",
		e->cfg->divert ? " (divert)" : "", e->nmigs);
	for (m = e->migs; m; m = m->next) {
		hx_uuid_format(m->uuid, uuid);
		if (hc_fmt_sockaddr(peer, &m->peer, m->peer_len))
			snprintf(peer, sizeof(peer), "-");
		fprintf(f, "vm %s uuid %s role %s state %s", m->name, uuid, hc_role_name(m->role),
			hd_mig_state_name(m->state));
		if (m->has_domid)
			fprintf(f, " domid %u", m->domid);
		fprintf(f, " peer %s%s age %llums\n", peer, m->chan ? "" : " (not connected)",
			(unsigned long long)(now_ms - m->t_begin_ms));
		for (i = 0; i < m->nvifs; i++) {
			const struct hd_mig_vif *v = &m->vifs[i];

			hc_fmt_mac(mac, v->mac);
			fprintf(f, "    session 0x%llx devid %u mac %s dev %s%s kernel %s\n",
				(unsigned long long)v->id, v->devid, mac, v->ifname[0] ? v->ifname : "-",
				v->attached ? " attached" : "",
				v->made ? hc_state_name(v->kstate) : "none");
		}
	}
}
