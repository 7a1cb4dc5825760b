/**
 * The demo and the client side of the gateway end-to-end tests: {@link io.stateguard.demo.GatewayProcess}
 * runs the reference gateway in its own JVM (optionally with the agent), {@link io.stateguard.demo.StatusPoller}
 * and {@link io.stateguard.demo.WebhookReceiver} play the client application, and
 * {@link io.stateguard.demo.GatewayScenario} puts them together. {@link io.stateguard.demo.Demo} is the
 * entry point of {@code ./demo.sh}.
 */
package io.stateguard.demo;
