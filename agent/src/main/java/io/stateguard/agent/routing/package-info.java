/**
 * Per-key routing: which rule a command's keys belong to and whether its read goes to the primary
 * ({@link io.stateguard.agent.routing.RoutingPolicy}), decided while Lettuce's channel writer holds the command
 * and applied when its connection provider asks for an intent
 * ({@link io.stateguard.agent.routing.PrimaryRouting}); counts of routed reads
 * ({@link io.stateguard.agent.routing.RoutingStats}).
 */
package io.stateguard.agent.routing;
