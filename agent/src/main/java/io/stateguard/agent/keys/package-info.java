/**
 * Key matching: glob patterns ({@link io.stateguard.agent.keys.GlobPattern}) compiled, for all rules
 * together, into one automaton over key bytes ({@link io.stateguard.agent.keys.KeyMatcher}), so that a decision
 * costs a pass over the key whatever the number of patterns. Knows no Redis client.
 */
package io.stateguard.agent.keys;
