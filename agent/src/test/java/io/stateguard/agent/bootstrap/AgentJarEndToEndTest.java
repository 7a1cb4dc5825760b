package io.stateguard.agent.bootstrap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/** Inspects and runs the built, shaded {@code stateguard-agent.jar} (runs after {@code package}). */
class AgentJarEndToEndTest {

    private static final Path JAR = Paths.get(System.getProperty("stateguard.agent.jar", "target/stateguard-agent.jar"));

    private static final String OWN = "io/stateguard/agent/";

    @Test
    void manifestDeclaresTheAgentEntryPoints() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertThat(main.getValue("Premain-Class")).isEqualTo(StateGuardAgent.class.getName());
            assertThat(main.getValue("Agent-Class")).isEqualTo(StateGuardAgent.class.getName());
            assertThat(main.getValue("Main-Class")).isEqualTo(StateGuardAgent.class.getName());
            assertThat(main.getValue("Can-Retransform-Classes")).isEqualTo("true");
            assertThat(main.getValue("Implementation-Version")).isNotBlank();
        }
    }

    @Test
    void everyClassIsTheAgentsOwnOrRelocatedBelowIt() throws IOException {
        List<String> foreign = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                if (!name.endsWith(".class")) {
                    continue;
                }
                classes.add(name);
                String path = name.startsWith("META-INF/versions/")
                        ? name.substring(name.indexOf('/', "META-INF/versions/".length()) + 1) : name;
                if (!path.startsWith(OWN)) {
                    foreign.add(name);
                }
            }
        }
        assertThat(classes).as("classes in the agent jar").isNotEmpty()
                .anyMatch(name -> name.startsWith(OWN + "shaded/org/objectweb/asm/"));
        assertThat(foreign).as("classes that would land unshaded on the application's class path").isEmpty();
    }

    @Test
    void agentClassesAreJava8Bytecode() throws IOException {
        List<String> tooNew = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                // Multi-release variants under META-INF/versions/N are only read by JVMs of version N.
                if (!entry.getName().endsWith(".class") || entry.getName().startsWith("META-INF/")) {
                    continue;
                }
                try (InputStream in = jar.getInputStream(entry); DataInputStream data = new DataInputStream(in)) {
                    data.readInt();
                    data.readUnsignedShort();
                    int major = data.readUnsignedShort();
                    if (major > 52) {
                        tooNew.add(entry.getName() + " (major " + major + ")");
                    }
                }
            }
        }
        assertThat(tooNew).as("classes a Java 8 JVM cannot load").isEmpty();
    }

    @Test
    void javaDashJarPrintsVersionAndUsage() throws Exception {
        ProcessRun run = run(List.of("-jar", JAR.toString()));
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("StateGuard agent").contains("Usage: java -javaagent:stateguard-agent.jar");
    }

    @Test
    void startsAndLogsOneLineWithVersionRulesAndInstrumentation() throws Exception {
        ProcessRun run = app("keys=gw:state:*");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("hello from the application");
        assertThat(run.errLines()).filteredOn(line -> line.contains("started"))
                .singleElement().asString()
                .startsWith("[stateguard] INFO StateGuard ")
                .contains("rules: default{keys=gw:state:*, routing=primary}")
                .contains("instrumented: none yet");
    }

    @Test
    void invalidConfigurationDisablesTheAgentWithOneLineAndTheApplicationStarts() throws Exception {
        ProcessRun run = app("keys=gw:state:*;routing=primry");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("hello from the application");
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("[stateguard] ERROR invalid configuration: stateguard.routing='primry': unknown routing")
                .contains("StateGuard is disabled");
    }

    @Test
    void invalidTelemetryKeyPrivacyDisablesTheAgentWithOneLine() throws Exception {
        ProcessRun run = app("keys=gw:state:*;telemetry.keys=secret");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("hello from the application");
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("[stateguard] ERROR invalid configuration: stateguard.telemetry.keys='secret': unknown key"
                        + " privacy (expected one of: full, hashed, none)")
                .contains("StateGuard is disabled");
    }

    @Test
    void failFastExitsTheJvmOnInvalidConfiguration() throws Exception {
        ProcessRun run = app("keys=gw:state:*;routing=primry;fail-fast=true");
        assertThat(run.exit()).isNotZero();
        assertThat(run.out()).doesNotContain("hello from the application");
        assertThat(run.err()).contains("stateguard.routing='primry'").contains("stops the JVM");
    }

    /**
     * {@code fail-fast=true} in the configuration file stops the JVM too, whichever source holds the invalid
     * setting: here a system property (the file is read, and valid, only for the other settings).
     */
    @Test
    void failFastFromTheConfigurationFileExitsTheJvm(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("stateguard.properties");
        Files.write(file, List.of("stateguard.keys=gw:state:*", "stateguard.fail-fast=true"), StandardCharsets.UTF_8);
        ProcessRun run = run(List.of("-Dstateguard.config=" + file, "-Dstateguard.routing=primry",
                "-javaagent:" + JAR.toAbsolutePath(),
                "-cp", Paths.get("target", "test-classes").toAbsolutePath().toString(),
                "io.stateguard.agent.testapp.HelloApp"));
        assertThat(run.exit()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).doesNotContain("hello from the application");
        assertThat(run.errLines()).containsExactly("[stateguard] ERROR invalid configuration: stateguard.routing='primry':"
                + " unknown routing (expected one of: primary, configured, replica-checked, causal); StateGuard is disabled and"
                + " stateguard.fail-fast=true stops the JVM");
    }

    /**
     * Where Lettuce is in a class loader of its own, the agent defines its helpers there with
     * {@code ClassLoader.defineClass}, which needs {@code java.lang} opened: to the agent's definer alone, never
     * to the class path's unnamed module (which the agent jar shares with the application's class path).
     */
    @Test
    void helpersAreDefinedBesideAnIsolatedLettuceWithoutOpeningJavaLangToTheClassPath() throws Exception {
        Path lettuce = Paths.get(System.getProperty("stateguard.lettuce.jars", "target/lettuce-jars"))
                .resolve("lettuce-core-7.7.0.RELEASE.jar");
        ProcessRun run = run(List.of("-javaagent:" + JAR.toAbsolutePath() + "=keys=gw:*;version=json:/version",
                "-cp", Paths.get("target", "test-classes").toAbsolutePath().toString(),
                "io.stateguard.agent.testapp.IsolatedLettuceApp", lettuce.toString()));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).as(run.err())
                .containsExactly("helpers.beside.lettuce=true", "java.lang.open.to.class.path=false");
        assertThat(run.err()).contains("applying lettuce-6+").doesNotContain("WARN").doesNotContain("ERROR");
    }

    @Test
    void withoutRulesTheAgentSaysSoAndStaysOut() throws Exception {
        ProcessRun run = app(null);
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("hello from the application");
        assertThat(run.err()).contains("has no state-key rules");
    }

    @Test
    void disabledAgentDoesNothing() throws Exception {
        ProcessRun run = app("keys=a;enabled=false");
        assertThat(run.exit()).isZero();
        assertThat(run.err()).contains("is disabled (stateguard.enabled=false)");
    }

    private static ProcessRun app(String agentArgs) throws Exception {
        return run(List.of("-javaagent:" + JAR.toAbsolutePath() + (agentArgs == null ? "" : "=" + agentArgs),
                "-cp", Paths.get("target", "test-classes").toAbsolutePath().toString(),
                "io.stateguard.agent.testapp.HelloApp"));
    }

    private static ProcessRun run(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args);
        return ProcessRun.run(command);
    }
}
