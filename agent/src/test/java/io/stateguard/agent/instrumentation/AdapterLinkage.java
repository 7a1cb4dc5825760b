package io.stateguard.agent.instrumentation;

import io.stateguard.agent.api.StaleStateException;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Links the classes the agent defines beside a client library (the adapter, the advice) against a real jar of
 * that library, as the JVM's linker would. Those classes are compiled against one version and run against every
 * version of the matrix: a class, method or field that one version lacks links only when first used, deep in a
 * rare path, as a {@code NoClassDefFoundError} or {@code NoSuchMethodError} that the agent swallows and counts.
 *
 * <p>The references to check are those whose owner's internal name starts with one of the given prefixes
 * ({@code io/lettuce/}, {@code org/redisson/}, ...). Such an owner is read from the given jars only, and a method
 * is looked up as the linker does: the class, its superclasses, then its interfaces (a constructor: the class
 * only); a field: the class, then its superclasses. An owner outside the prefixes met on that way (the JDK, another library) is looked up on the
 * test's class path.
 */
public final class AdapterLinkage {

    private AdapterLinkage() {
    }

    /** The class files of the given folders of {@code target/classes/io/stateguard/agent} (not their subfolders). */
    public static List<Path> classesIn(String... folders) throws Exception {
        Path agent = Paths.get(StaleStateException.class.getResource("StaleStateException.class").toURI())
                .getParent().getParent();
        List<Path> files = new ArrayList<>();
        for (String folder : folders) {
            try (Stream<Path> list = Files.list(agent.resolve(folder))) {
                list.filter(p -> p.toString().endsWith(".class")).sorted().forEach(files::add);
            }
        }
        assertThat(files).as("class files in " + List.of(folders)).isNotEmpty();
        return files;
    }

    /**
     * Every reference of {@code classFiles} under one of {@code prefixes} that {@code jars} cannot link, as
     * {@code "ClassFile.class -> owner::name(descriptor)"}.
     */
    public static List<String> unresolved(List<Path> classFiles, List<Path> jars, String... prefixes)
            throws IOException {
        List<String> unresolved = new ArrayList<>();
        int checked = 0;
        try (Resolver resolver = new Resolver(jars, prefixes)) {
            for (Path classFile : classFiles) {
                for (Reference reference : references(classFile, prefixes)) {
                    checked++;
                    if (!resolver.resolves(reference)) {
                        unresolved.add(classFile.getFileName() + " -> " + reference);
                    }
                }
            }
        }
        assertThat(checked).as("references under " + List.of(prefixes) + " (none: the check checks nothing)")
                .isPositive();
        return unresolved;
    }

    static boolean matches(String internalName, String... prefixes) {
        for (String prefix : prefixes) {
            if (internalName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** A class ({@code name == null}), method or field that a class file refers to. */
    public static final class Reference {
        final String owner;
        final String name;
        final String descriptor;
        final boolean field;

        Reference(String owner, String name, String descriptor, boolean field) {
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
            this.field = field;
        }

        @Override
        public String toString() {
            return name == null ? owner : owner + (field ? "." : "::") + name + descriptor;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Reference && toString().equals(other.toString());
        }

        @Override
        public int hashCode() {
            return toString().hashCode();
        }
    }

    /**
     * The classes, methods and fields under {@code prefixes} that {@code classFile} refers to: its superclass and
     * interfaces, the types of its fields' and methods' descriptors, and in its code the owners and members of
     * method and field instructions, the types of {@code new}, casts, {@code instanceof}, class constants and
     * caught exceptions, and the methods and fields of method handles (method references).
     */
    public static Set<Reference> references(Path classFile, String... prefixes) throws IOException {
        Set<Reference> references = new LinkedHashSet<>();
        new ClassReader(Files.readAllBytes(classFile)).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                type(superName);
                if (interfaces != null) {
                    for (String each : interfaces) {
                        type(each);
                    }
                }
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                descriptorTypes(descriptor);
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                descriptorTypes(descriptor);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String descriptor,
                            boolean isInterface) {
                        member(owner, name, descriptor, false);
                        descriptorTypes(descriptor);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
                        member(owner, name, descriptor, true);
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        if (type.startsWith("[")) {
                            descriptorTypes(type);
                        } else {
                            type(type);
                        }
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        constant(value);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap,
                            Object... arguments) {
                        descriptorTypes(descriptor);
                        for (Object each : arguments) {
                            constant(each);
                        }
                    }

                    @Override
                    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                        type(type);
                    }
                };
            }

            private void constant(Object value) {
                if (value instanceof Type) {
                    Type type = (Type) value;
                    if (type.getSort() == Type.OBJECT) {
                        type(type.getInternalName());
                    } else if (type.getSort() == Type.ARRAY || type.getSort() == Type.METHOD) {
                        descriptorTypes(type.getDescriptor());
                    }
                } else if (value instanceof Handle) {
                    Handle handle = (Handle) value;
                    boolean field = handle.getTag() <= Opcodes.H_PUTSTATIC;
                    member(handle.getOwner(), handle.getName(), handle.getDesc(), field);
                    descriptorTypes(handle.getDesc());
                }
            }

            private void member(String owner, String name, String descriptor, boolean field) {
                if (owner.startsWith("[")) {
                    descriptorTypes(owner); // a method of an array (clone): only its element type links
                } else if (matches(owner, prefixes)) {
                    references.add(new Reference(owner, name, descriptor, field));
                }
            }

            private void descriptorTypes(String descriptor) {
                List<Type> types = new ArrayList<>();
                if (descriptor.startsWith("(")) {
                    Type method = Type.getMethodType(descriptor);
                    types.add(method.getReturnType());
                    types.addAll(List.of(method.getArgumentTypes()));
                } else {
                    types.add(Type.getType(descriptor));
                }
                for (Type each : types) {
                    Type element = each.getSort() == Type.ARRAY ? each.getElementType() : each;
                    if (element.getSort() == Type.OBJECT) {
                        type(element.getInternalName());
                    }
                }
            }

            private void type(String internalName) {
                if (internalName != null && matches(internalName, prefixes)) {
                    references.add(new Reference(internalName, null, null, false));
                }
            }
        }, ClassReader.SKIP_FRAMES);
        return references;
    }

    /**
     * Resolves references as the JVM's linker does, reading the classes under the prefixes from the jars (the
     * first jar that has a class wins, as on a class path) and any other class from the test's class path.
     */
    public static final class Resolver implements Closeable {

        private final List<ZipFile> jars = new ArrayList<>();
        private final String[] prefixes;
        private final Map<String, ClassReader> classes = new HashMap<>();

        public Resolver(List<Path> jars, String... prefixes) throws IOException {
            this.prefixes = prefixes;
            for (Path jar : jars) {
                this.jars.add(new ZipFile(jar.toFile()));
            }
        }

        public boolean resolves(Reference reference) throws IOException {
            if (read(reference.owner) == null) {
                return false;
            }
            if (reference.name == null) {
                return true;
            }
            return reference.field ? hasField(reference.owner, reference.name, reference.descriptor)
                    : hasMethod(reference.owner, reference.name, reference.descriptor, new TreeSet<>());
        }

        private ClassReader read(String internalName) throws IOException {
            if (classes.containsKey(internalName)) {
                return classes.get(internalName);
            }
            ClassReader reader = null;
            for (ZipFile jar : jars) {
                ZipEntry entry = jar.getEntry(internalName + ".class");
                if (entry != null) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        reader = new ClassReader(in.readAllBytes());
                    }
                    break;
                }
            }
            classes.put(internalName, reader);
            return reader;
        }

        private boolean hasMethod(String owner, String name, String descriptor, Set<String> seen) throws IOException {
            if (!seen.add(owner)) {
                return false;
            }
            if (!matches(owner, prefixes)) {
                return classPathHasMethod(owner, name, descriptor);
            }
            ClassReader reader = read(owner);
            if (reader == null) {
                return false;
            }
            boolean[] found = {false};
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String method, String methodDescriptor, String signature,
                        String[] exceptions) {
                    if (method.equals(name) && methodDescriptor.equals(descriptor)) {
                        found[0] = true;
                    }
                    return null;
                }
            }, ClassReader.SKIP_CODE);
            if (found[0]) {
                return true;
            }
            if (name.equals("<init>")) {
                return false; // a constructor is not inherited: invokespecial wants it declared by the owner itself
            }
            if (reader.getSuperName() != null && hasMethod(reader.getSuperName(), name, descriptor, seen)) {
                return true;
            }
            for (String each : reader.getInterfaces()) {
                if (hasMethod(each, name, descriptor, seen)) {
                    return true;
                }
            }
            return false;
        }

        private boolean hasField(String owner, String name, String descriptor) throws IOException {
            for (String type = owner; type != null; ) {
                if (!matches(type, prefixes)) {
                    return classPathHasField(type, name, descriptor);
                }
                ClassReader reader = read(type);
                if (reader == null) {
                    return false;
                }
                boolean[] found = {false};
                reader.accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public FieldVisitor visitField(int access, String field, String fieldDescriptor, String signature,
                            Object value) {
                        if (field.equals(name) && fieldDescriptor.equals(descriptor)) {
                            found[0] = true;
                        }
                        return null;
                    }
                }, ClassReader.SKIP_CODE);
                if (found[0]) {
                    return true;
                }
                type = reader.getSuperName();
            }
            return false;
        }

        /** A method inherited from outside the prefixes (the JDK, another library): looked up on the class path. */
        private static boolean classPathHasMethod(String owner, String name, String descriptor) {
            try {
                Class<?> type = Class.forName(owner.replace('/', '.'), false, AdapterLinkage.class.getClassLoader());
                for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                    for (Method method : c.getDeclaredMethods()) {
                        if (method.getName().equals(name) && Type.getMethodDescriptor(method).equals(descriptor)) {
                            return true;
                        }
                    }
                }
                for (Class<?> each : type.getInterfaces()) {
                    for (Method method : each.getMethods()) {
                        if (method.getName().equals(name) && Type.getMethodDescriptor(method).equals(descriptor)) {
                            return true;
                        }
                    }
                }
                return type.isInterface() && hasObjectMethod(name, descriptor);
            } catch (ClassNotFoundException e) {
                return false;
            }
        }

        /** A field inherited from outside the prefixes: looked up on the class path. */
        private static boolean classPathHasField(String owner, String name, String descriptor) {
            try {
                Class<?> type = Class.forName(owner.replace('/', '.'), false, AdapterLinkage.class.getClassLoader());
                for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                    for (Field field : c.getDeclaredFields()) {
                        if (field.getName().equals(name) && Type.getDescriptor(field.getType()).equals(descriptor)) {
                            return true;
                        }
                    }
                }
                return false;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }

        private static boolean hasObjectMethod(String name, String descriptor) {
            for (Method method : Object.class.getMethods()) {
                if (method.getName().equals(name) && Type.getMethodDescriptor(method).equals(descriptor)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            for (ZipFile jar : jars) {
                jar.close();
            }
        }
    }
}
