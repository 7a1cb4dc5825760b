/**
 * What is woven into Redisson: one {@link io.stateguard.agent.instrumentation.TypeInstrumentation} per
 * intercepted class ({@code CommandAsyncService}, {@code CommandBatchService}, and for the version guard
 * {@code CommandDecoder} and {@code RedisExecutor}), each with its tiny advice
 * classes, and the module for the supported range
 * ({@link io.stateguard.agent.instrumentation.redisson.RedissonInstrumentationModule}). The advice only hands
 * the command over to the Redisson adapter, {@code io.stateguard.agent.redisson}, whose classes are defined
 * beside Redisson with it.
 */
package io.stateguard.agent.instrumentation.redisson;
