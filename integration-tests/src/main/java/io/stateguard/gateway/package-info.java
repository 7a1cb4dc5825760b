/**
 * The reference gateway: a small WhatsApp API gateway modelled on Evolution API, whose instance state and
 * auth state live in Redis and are read through Lettuce's {@code ReadFrom}. It reproduces the flapping that
 * StateGuard fixes, and is what the demo and the gateway end-to-end tests run, with and without the agent.
 * Entry point: {@link io.stateguard.gateway.ReferenceGateway}.
 */
package io.stateguard.gateway;
