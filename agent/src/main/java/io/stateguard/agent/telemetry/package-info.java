/**
 * OpenTelemetry: one {@code stateguard.inconsistency} span per inconsistency and asynchronous metrics
 * of the agent's counters, sent to the backend the application already uses (the OpenTelemetry Java agent, the
 * application's {@code GlobalOpenTelemetry}, else an embedded, relocated SDK when an exporter is configured),
 * found lazily, never at start-up; how keys appear in telemetry and logs
 * ({@link io.stateguard.agent.keys.KeyPrivacy}).
 */
package io.stateguard.agent.telemetry;
