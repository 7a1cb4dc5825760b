package io.stateguard.it.probe;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Diagnostics for a class loader that is not collected: the paths of strong references from the
 * agent's static fields (every class of the {@code -javaagent} jar outside its shaded libraries) and
 * from live threads to that loader, one of its classes, or an instance of one. Reflection only, so a
 * path through a {@code ClassValue} (kept inside {@code java.lang.Class}) is not seen; weak and soft
 * references are not followed.
 */
final class Reachability {

    private static final int MAX_OBJECTS = 3_000_000;
    private static final int MAX_PATHS = 40;

    private Reachability() {
    }

    static List<String> pathsTo(ClassLoader target) {
        Walk walk = new Walk(target);
        for (Class<?> type : agentClasses()) {
            for (Field field : fields(type, true)) {
                try {
                    field.setAccessible(true);
                    walk.enqueue(field.get(null), type.getName() + "." + field.getName());
                } catch (Throwable t) {
                    // not readable: not followed
                }
            }
        }
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            walk.enqueue(thread, "thread \"" + thread.getName() + "\"");
        }
        walk.run();
        return walk.paths;
    }

    /** A breadth-first walk of strong references; every reference to something of the target's is a path. */
    private static final class Walk {

        final ClassLoader target;
        final Map<Object, String> seen = new IdentityHashMap<>();
        final ArrayDeque<Object> queue = new ArrayDeque<>();
        final List<String> paths = new ArrayList<>();

        Walk(ClassLoader target) {
            this.target = target;
        }

        void enqueue(Object value, String path) {
            if (value == null || paths.size() >= MAX_PATHS) {
                return;
            }
            String reached = reached(value);
            if (reached != null) {
                paths.add(path + " -> " + reached); // not followed further: its own references are the target's
            } else if (!seen.containsKey(value)) {
                seen.put(value, path);
                queue.add(value);
            }
        }

        void run() {
            while (!queue.isEmpty() && seen.size() < MAX_OBJECTS && paths.size() < MAX_PATHS) {
                Object object = queue.poll();
                String path = seen.get(object);
                if (object instanceof Class || object instanceof ClassLoader) {
                    continue; // a class's statics, and another loader's classes, are not the agent's references
                }
                if (object.getClass().isArray()) {
                    if (!object.getClass().getComponentType().isPrimitive()) {
                        for (int i = 0; i < Array.getLength(object); i++) {
                            enqueue(Array.get(object, i), path + "[" + i + "]");
                        }
                    }
                    continue;
                }
                for (Class<?> type = object.getClass(); type != null; type = type.getSuperclass()) {
                    for (Field field : fields(type, false)) {
                        if (type == Reference.class && (field.getName().equals("referent")
                                || field.getName().equals("discovered"))) {
                            continue;
                        }
                        try {
                            field.setAccessible(true);
                            enqueue(field.get(object), path + "." + field.getName());
                        } catch (Throwable t) {
                            // not accessible: not followed
                        }
                    }
                }
            }
        }

        /** What {@code object} is of the target's (the loader, one of its classes, an instance of one), or {@code null}. */
        String reached(Object object) {
            if (object == target) {
                return "the class loader";
            }
            if (object instanceof Class) {
                return ((Class<?>) object).getClassLoader() == target ? "class " + ((Class<?>) object).getName() : null;
            }
            return object.getClass().getClassLoader() == target ? "a " + object.getClass().getName() : null;
        }
    }

    private static List<Field> fields(Class<?> type, boolean statics) {
        List<Field> fields = new ArrayList<>();
        try {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) == statics && !field.getType().isPrimitive()) {
                    fields.add(field);
                }
            }
        } catch (Throwable t) {
            // a class that does not link here: no fields
        }
        return fields;
    }

    /** The agent jar's own classes, as the system class loader (the agent's) has them. */
    private static List<Class<?>> agentClasses() {
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!argument.startsWith("-javaagent:") || !argument.contains("stateguard-agent")) {
                continue;
            }
            String jar = argument.substring("-javaagent:".length()).split("=", 2)[0];
            List<Class<?>> classes = new ArrayList<>();
            try (JarFile file = new JarFile(jar)) {
                for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements();) {
                    String name = entries.nextElement().getName();
                    if (name.startsWith("io/stateguard/agent/") && name.endsWith(".class")
                            && !name.startsWith("io/stateguard/agent/shaded/")) {
                        try {
                            classes.add(Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                                    ClassLoader.getSystemClassLoader()));
                        } catch (Throwable t) {
                            // links against a library this loader does not have
                        }
                    }
                }
            } catch (IOException e) {
                return Collections.emptyList();
            }
            return classes;
        }
        return Collections.emptyList();
    }
}
