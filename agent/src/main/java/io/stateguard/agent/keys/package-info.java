/**
 * Key matching: glob patterns ({@link io.stateguard.agent.keys.GlobPattern}) compiled, for all rules
 * together, into one automaton over key bytes ({@link io.stateguard.agent.keys.KeyMatcher}), so that a decision
 * costs a pass over the key whatever the number of patterns; how a key may appear in logs, spans and
 * exception messages ({@link io.stateguard.agent.keys.KeyPrivacy}); and the interface through which a client
 * adapter lets the core read its commands' keys ({@link io.stateguard.agent.keys.CommandKeyReader}). Knows no
 * Redis client.
 */
package io.stateguard.agent.keys;
