/**
 * The version guard, independent of any Redis client: what a command reads and writes
 * ({@link io.stateguard.agent.guard.CommandKind}, {@link io.stateguard.agent.guard.CommandClassifier},
 * {@link io.stateguard.agent.guard.TrackedCommand}), whether a reply is older than the key's
 * high-water mark ({@link io.stateguard.agent.guard.VersionGuard}), the rule's on-regression policy
 * ({@link io.stateguard.agent.guard.RegressionPolicy}, whose {@link io.stateguard.agent.guard.ReplyVerdict}
 * the client adapter carries out), the installed state and pending commands
 * ({@link io.stateguard.agent.guard.GuardRuntime}), the proof of lost writes from the primary's
 * replication ID ({@link io.stateguard.agent.guard.ReplicationIds}) and reporting
 * ({@link io.stateguard.agent.guard.Inconsistencies}). Keys and values are bytes; a reply flows through in
 * one direction: adapter → classifier → policy → version guard → verdict → adapter.
 */
package io.stateguard.agent.guard;
