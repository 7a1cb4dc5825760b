/**
 * Configuration: the four sources (properties file, {@code STATEGUARD_*} environment variables,
 * {@code -Dstateguard.*} system properties, agent arguments) merged with the OpenTelemetry agent's precedence,
 * validated into immutable {@link io.stateguard.agent.config.Rule}s. An invalid setting is one
 * {@link io.stateguard.agent.config.ConfigException} naming the setting and the value. Knows no Redis client.
 */
package io.stateguard.agent.config;
