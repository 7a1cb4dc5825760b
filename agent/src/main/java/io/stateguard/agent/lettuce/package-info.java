/**
 * The Lettuce adapter: everything that knows Lettuce, compiled against its public API and defined
 * beside the application's Lettuce (listed as helper classes of the Lettuce instrumentation module).
 * {@link io.stateguard.agent.lettuce.LettuceDispatch} is called when a command is written (routing
 * record, guard registration, the intent decision); {@link io.stateguard.agent.lettuce.LettuceCompletion}
 * when its reply is decoded (reply values through {@link io.stateguard.agent.lettuce.LettuceReplies}, the
 * guard's verdict carried out, the re-read). {@link io.stateguard.agent.lettuce.CommandKeys} reads a
 * command's keys through its codec; {@link io.stateguard.agent.lettuce.LettuceFields} holds the only
 * reflection, on fields Lettuce does not expose. The decisions themselves live in the client-neutral
 * {@code routing} and {@code guard} packages.
 */
package io.stateguard.agent.lettuce;
