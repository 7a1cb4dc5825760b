/**
 * What is woven into Lettuce: one {@link io.stateguard.agent.instrumentation.TypeInstrumentation}
 * per intercepted class (channel writers, connection providers, {@code CommandHandler}), each with its tiny advice
 * classes, and the modules for the Lettuce 5 and 6+ ranges
 * ({@link io.stateguard.agent.instrumentation.lettuce.LettuceInstrumentationModule}). The advice only hands the
 * command over to {@code io.stateguard.agent.routing} and {@code io.stateguard.agent.lettuce}.
 */
package io.stateguard.agent.instrumentation.lettuce;
