/**
 * The agent's own plumbing: its log ({@link io.stateguard.agent.internal.AgentLog}: one prefix,
 * levels, once-only lines) and the counters of internal errors that failed open
 * ({@link io.stateguard.agent.internal.InternalErrors}), the clock seam tests set
 * ({@link io.stateguard.agent.internal.Clocks}), and the weak identity map that holds per-command state
 * ({@link io.stateguard.agent.internal.WeakIdentityMap}). Depends on nothing else of the agent.
 */
package io.stateguard.agent.internal;
