/*
 * pppd_compat.h - the few pppd plugin interfaces l2tpsec.so uses, for pppd
 * 2.4.9 (Debian 12, built and tested) and 2.5.x (UNTESTED: no 2.5 headers on
 * the build machine; written from 2.5's public pppd.h).
 *
 * 2.4.9 exports globals and add_notifier(&list, ...); 2.5 reorganised the
 * headers (chap-new.h became chap.h, options in options.h) and replaced the
 * notifier lists and ifname[] with ppp_add_notify() and ppp_ifname().  The
 * hooks the plugin sets (chap_check_hook, chap_verify_hook, pap_check_hook,
 * allowed_address_hook) and ipcp_wantoptions/gotoptions/hisoptions keep their
 * names in both.  Nothing else of pppd is used.
 *
 * Include this first: pppd 2.4.9's pppd.h typedefs `bool` as unsigned char,
 * which must be seen before <stdbool.h> turns `bool` into a macro, so that
 * the structs of ipcp.h keep pppd's layout.
 */
#ifndef L2TPSEC_PPP_GLUE_PLUGIN_PPPD_COMPAT_H
#define L2TPSEC_PPP_GLUE_PLUGIN_PPPD_COMPAT_H

#include <stddef.h>
#include <sys/types.h>

#include <pppd/pppd.h>

#ifdef PPPD_VERSION /* 2.5 and later: pppdconf.h */
#include <pppd/options.h>
#include <pppd/fsm.h>
#include <pppd/ipcp.h>
#include <pppd/upap.h>
#include <pppd/chap.h>

#define PPPD_COMPAT_VERSION PPPD_VERSION
#define PPPD_COMPAT_ON_PHASE NF_PHASE_CHANGE
#define PPPD_COMPAT_ON_IP_UP NF_IP_UP
#define PPPD_COMPAT_ON_IP_DOWN NF_IP_DOWN
#define pppd_compat_add_notifier(event, fn, arg) ppp_add_notify((event), (fn), (arg))
#define pppd_compat_add_options(options) ppp_add_options(options)
#define pppd_compat_ifname() ppp_ifname()

#else /* 2.4.x: patchlevel.h */
#include <pppd/fsm.h>
#include <pppd/ipcp.h>
#include <pppd/chap-new.h>

#define PPPD_COMPAT_VERSION VERSION
#define PPPD_COMPAT_ON_PHASE (&phasechange)
#define PPPD_COMPAT_ON_IP_UP (&ip_up_notifier)
#define PPPD_COMPAT_ON_IP_DOWN (&ip_down_notifier)
#define pppd_compat_add_notifier(event, fn, arg) add_notifier((event), (fn), (arg))
#define pppd_compat_add_options(options) add_options(options)
#define pppd_compat_ifname() ((const char *)ifname)
#endif

#endif
