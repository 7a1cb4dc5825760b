/**
 * Version checks for state keys: reading a version out of a Redis value ({@link
 * io.stateguard.agent.versions.VersionSpec}) and remembering the highest version seen per key
 * ({@link io.stateguard.agent.versions.HighWaterMarks}).
 *
 * <p>Everything here runs on Netty event-loop threads for every checked reply, so the hot-path
 * methods neither block for long, nor throw for bad data, nor allocate more than a few small objects:
 * an unreadable value is a {@link io.stateguard.agent.versions.VersionFailure} code, not an exception.
 * The package knows nothing of Lettuce or of bytecode: values and keys are plain bytes.
 */
package io.stateguard.agent.versions;
