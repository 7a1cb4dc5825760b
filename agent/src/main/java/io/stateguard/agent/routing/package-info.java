/**
 * Per-key routing: which rule a command's keys belong to and whether its read goes to the primary
 * ({@link io.stateguard.agent.routing.RoutingPolicy}), decided while a client's channel writer holds the command
 * and applied when its connection provider asks for an intent
 * ({@link io.stateguard.agent.routing.PrimaryRouting}, which reads the command's keys through the adapter's
 * {@link io.stateguard.agent.keys.CommandKeyReader}); counts of routed reads
 * ({@link io.stateguard.agent.routing.RoutingStats}).
 */
package io.stateguard.agent.routing;
