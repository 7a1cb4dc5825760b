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
        Map<Object, String> seen = new IdentityHashMap<>();
        ArrayDeque<Object> queue = new ArrayDeque<>();
        List<String> paths = new ArrayList<>();
        for (Class<?> type : agentClasses()) {
            for (Field field : fields(type, true)) {
                try {
                    field.setAccessible(true);
                    enqueue(field.get(null), type.getName() + "." + field.getName(), seen, queue);
                } catch (Throwable t) {
                    // not readable: not followed
                }
            }
        }
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            enqueue(thread, "thread \"" + thread.getName() + "\"", seen, queue);
        }
        while (!queue.isEmpty() && seen.size() < MAX_OBJECTS && paths.size() < MAX_PATHS) {
            Object object = queue.poll();
            String path = seen.get(object);
            if (object == target) {
                paths.add(path + " -> the class loader");
                continue;
            }
            if (object instanceof Class) {
                if (((Class<?>) object).getClassLoader() == target) {
                    paths.add(path + " -> class " + ((Class<?>) object).getName());
                }
                continue; // a class's statics are its loader's business
            }
            if (object.getClass().getClassLoader() == target) {
                paths.add(path + " -> a " + object.getClass().getName());
                continue;
            }
            if (object instanceof ClassLoader) {
                continue;
            }
            if (object.getClass().isArray()) {
                if (!object.getClass().getComponentType().isPrimitive()) {
                    for (int i = 0; i < Array.getLength(object); i++) {
                        enqueue(Array.get(object, i), path + "[" + i + "]", seen, queue);
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
                        enqueue(field.get(object), path + "." + field.getName(), seen, queue);
                    } catch (Throwable t) {
                        // not accessible: not followed
                    }
                }
            }
        }
        return paths;
    }

    private static void enqueue(Object value, String path, Map<Object, String> seen, ArrayDeque<Object> queue) {
        if (value != null && !seen.containsKey(value)) {
            seen.put(value, path);
            queue.add(value);
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
