package io.stateguard.agent.instrumentation;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two halves of defining {@code StaleStateException} early (the end-to-end check is
 * {@code it/isolation/ClassLoaderIsolationEndToEndTest}): which class loader holds the library for a loader that
 * defines a class, and the agent class loader's copy that links without the library.
 */
class EarlyHelpersTest {

    private static final String REDIS_EXCEPTION = "io/lettuce/core/RedisException.class";
    private static final String STALE_STATE_EXCEPTION = "io.stateguard.agent.api.StaleStateException";

    private static URL lettuceJar() {
        return io.lettuce.core.RedisException.class.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void theLibrarysOwnerIsTheNearestLoaderWhoseParentDoesNotGiveTheSameClassFile() throws Exception {
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        try (URLClassLoader lettuce = new URLClassLoader(new URL[] {lettuceJar()}, platform);
                URLClassLoader application = new URLClassLoader(new URL[0], lettuce);
                URLClassLoader ownCopy = new URLClassLoader(new URL[] {lettuceJar()}, platform);
                URLClassLoader nothing = new URLClassLoader(new URL[0], platform)) {
            assertThat(InstrumentationTransformer.libraryOwner(lettuce, REDIS_EXCEPTION)).isSameAs(lettuce);
            assertThat(InstrumentationTransformer.libraryOwner(application, REDIS_EXCEPTION))
                    .as("a loader below the one holding Lettuce").isSameAs(lettuce);
            assertThat(InstrumentationTransformer.libraryOwner(ownCopy, REDIS_EXCEPTION)).isSameAs(ownCopy);
            assertThat(InstrumentationTransformer.libraryOwner(nothing, REDIS_EXCEPTION)).isNull();
        }
    }

    @Test
    void withoutTheLibraryTheHelperExtendsTheLibraryClasssSuperclassAndKeepsItsMessage() throws Exception {
        byte[] original = DefiningClassLoader.classFile(STALE_STATE_EXCEPTION);
        byte[] swapped = SuperclassSwap.swap(original, "io/lettuce/core/RedisException", "java/lang/RuntimeException");
        // a parent without Lettuce, as the system class loader of a fat jar
        try (URLClassLoader agentOnly = new URLClassLoader(new URL[] {Paths.get("target/classes").toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            assertThat(agentOnly.getResource(REDIS_EXCEPTION)).isNull();
            Class<?> linked = DefiningClassLoader.defineAndLink(agentOnly, STALE_STATE_EXCEPTION, swapped);
            assertThat(linked.getSuperclass()).isSameAs(RuntimeException.class);
            Object instance = linked.getConstructor(String.class).newInstance("StateGuard: stale state for key 'k'");
            assertThat(((Throwable) instance).getMessage()).isEqualTo("StateGuard: stale state for key 'k'");
            assertThat(linked.getField("STALE_STATE_MARKER").get(null)).isEqualTo("StateGuard: stale state");
        }
    }
}
