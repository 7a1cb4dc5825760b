/**
 * Entry points and installation: {@code premain}, {@code agentmain} and the {@code java -jar} commands
 * ({@code attach}, {@code list}); reading the configuration once, installing the instrumentation, publishing the
 * agent's status as system properties. The only package that wires the others together.
 */
package io.stateguard.agent.bootstrap;
