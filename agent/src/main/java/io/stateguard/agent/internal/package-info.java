/**
 * The agent's own plumbing: its log ({@link io.stateguard.agent.internal.AgentLog}: one prefix,
 * levels, once-only lines) and the counters of internal errors that failed open
 * ({@link io.stateguard.agent.internal.InternalErrors}), and the clock seam tests set
 * ({@link io.stateguard.agent.internal.Clocks}). Depends on nothing else of the agent.
 */
package io.stateguard.agent.internal;
