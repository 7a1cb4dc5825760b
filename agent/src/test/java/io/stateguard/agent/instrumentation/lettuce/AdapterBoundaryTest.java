package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.instrumentation.redisson.RedissonInstrumentationModule;
import io.stateguard.agent.lettuce.LettuceDispatch;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The line between the client-neutral core and the Lettuce adapter, checked on the compiled classes:
 * the core packages name no Redis client class, and every class of the adapter (which links against
 * Lettuce) is a helper defined beside Lettuce, since a copy loaded through the agent's class loader
 * could not link against a Lettuce that lives elsewhere.
 */
class AdapterBoundaryTest {

    private static final String[] CORE_PACKAGES = {"config", "keys", "versions", "routing", "guard", "telemetry",
            "internal"};

    private static Path classesRoot() throws URISyntaxException {
        Path dispatch = Paths.get(LettuceDispatch.class.getResource("LettuceDispatch.class").toURI());
        return dispatch.getParent().getParent(); // .../io/stateguard/agent
    }

    @Test
    void everyClassOfTheAdapterIsAHelperDefinedBesideLettuce() throws Exception {
        Set<String> adapter;
        try (Stream<Path> files = Files.list(classesRoot().resolve("lettuce"))) {
            adapter = files.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(".class") && !name.equals("package-info.class"))
                    .map(name -> "io.stateguard.agent.lettuce." + name.substring(0, name.length() - ".class".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> helpers = new TreeSet<>(LettuceInstrumentationModule.HELPER_CLASSES);
        helpers.remove("io.stateguard.agent.api.StaleStateException");
        assertThat(String.join("\n", helpers)).isEqualTo(String.join("\n", adapter));
    }

    @Test
    void everyClassOfTheRedissonAdapterIsAHelperDefinedBesideRedisson() throws Exception {
        Set<String> adapter;
        try (Stream<Path> files = Files.list(classesRoot().resolve("redisson"))) {
            adapter = files.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(".class") && !name.equals("package-info.class"))
                    .map(name -> "io.stateguard.agent.redisson." + name.substring(0, name.length() - ".class".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(String.join("\n", new TreeSet<>(RedissonInstrumentationModule.HELPER_CLASSES)))
                .isEqualTo(String.join("\n", adapter));
    }

    @Test
    void theCorePackagesNameNoRedisClient() throws Exception {
        List<String> offenders = new ArrayList<>();
        for (String corePackage : CORE_PACKAGES) {
            try (Stream<Path> files = Files.walk(classesRoot().resolve(corePackage))) {
                for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                    for (String name : referencedClasses(file)) {
                        if (name.startsWith("io/lettuce/") || name.startsWith("org/redisson/")
                                || name.startsWith("redis/clients/") || name.startsWith("io/netty/")
                                || name.startsWith("io/stateguard/agent/lettuce/")
                                || name.startsWith("io/stateguard/agent/redisson/")
                                || name.startsWith("io/stateguard/agent/instrumentation/")
                                || name.startsWith("io/stateguard/agent/bootstrap/")) {
                            offenders.add(classesRoot().relativize(file) + " -> " + name);
                        }
                    }
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    /** Every class name in a class file's constant pool, including those only in descriptors. */
    private static Set<String> referencedClasses(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readAllBytes();
        }
        ClassReader reader = new ClassReader(bytes);
        Set<String> names = new TreeSet<>();
        for (int i = 1; i < reader.getItemCount(); i++) {
            int offset = reader.getItem(i);
            if (offset == 0) {
                continue;
            }
            int tag = bytes[offset - 1];
            if (tag == 1) { // CONSTANT_Utf8: class names, and descriptors that name classes
                int length = ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
                String text = new String(bytes, offset + 2, length, java.nio.charset.StandardCharsets.ISO_8859_1);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("L([\\w/$]+);|^([\\w/$]+)$").matcher(text);
                while (m.find()) {
                    names.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
        }
        return names;
    }
}
