package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.lettuce.LettuceDispatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import java.io.IOException;
import java.io.InputStream;
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
 * The classes defined beside Lettuce (the adapter, the advice, {@code StaleStateException}) are compiled
 * against one Lettuce and run against every Lettuce of the version matrix. A method or class that one
 * version lacks links only when first called, deep in a rare path, as a {@code NoSuchMethodError} that
 * the agent swallows and counts: the check is silently off. This test resolves every Lettuce class,
 * method and field those classes refer to against the real jar of each version, as the JVM's linker
 * would (the class, its superclasses, then its interfaces), so such a reference fails here instead.
 */
class AdapterLinkageTest {

    @ParameterizedTest(name = "Lettuce {0}")
    @MethodSource("io.stateguard.agent.instrumentation.lettuce.MatrixJars#versions")
    void everyLettuceReferenceOfTheClassesDefinedBesideLettuceResolves(String version) throws Exception {
        Path jar = MatrixJars.jar(version);
        List<String> unresolved = new ArrayList<>();
        try (ZipFile lettuce = new ZipFile(jar.toFile())) {
            Resolver resolver = new Resolver(lettuce);
            for (Path classFile : classesDefinedBesideLettuce()) {
                for (Reference reference : references(classFile)) {
                    if (!resolver.resolves(reference)) {
                        unresolved.add(classFile.getFileName() + " -> " + reference);
                    }
                }
            }
        }
        assertThat(unresolved).as("references that Lettuce " + version + " cannot link").isEmpty();
    }

    private static List<Path> classesDefinedBesideLettuce() throws Exception {
        Path agent = Paths.get(LettuceDispatch.class.getResource("LettuceDispatch.class").toURI()).getParent()
                .getParent();
        List<Path> files = new ArrayList<>();
        for (String folder : new String[] {"lettuce", "instrumentation/lettuce", "api"}) {
            try (Stream<Path> list = Files.list(agent.resolve(folder))) {
                list.filter(p -> p.toString().endsWith(".class")).forEach(files::add);
            }
        }
        assertThat(files).isNotEmpty();
        return files;
    }

    /** A class ({@code name == null}), method or field of Lettuce that a class file refers to. */
    private static final class Reference {
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

    private static Set<Reference> references(Path classFile) throws IOException {
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
                        if (isLettuce(owner)) {
                            references.add(new Reference(owner, name, descriptor, false));
                        }
                        descriptorTypes(descriptor);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
                        if (isLettuce(owner)) {
                            references.add(new Reference(owner, name, descriptor, true));
                        }
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        type(type);
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (value instanceof Type && ((Type) value).getSort() == Type.OBJECT) {
                            type(((Type) value).getInternalName());
                        }
                    }

                    @Override
                    public void visitTryCatchBlock(org.objectweb.asm.Label start, org.objectweb.asm.Label end,
                            org.objectweb.asm.Label handler, String type) {
                        type(type);
                    }
                };
            }

            private void descriptorTypes(String descriptor) {
                Type method = descriptor.startsWith("(") ? Type.getMethodType(descriptor) : null;
                List<Type> types = new ArrayList<>();
                if (method != null) {
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
                if (internalName != null && isLettuce(internalName)) {
                    references.add(new Reference(internalName, null, null, false));
                }
            }
        }, ClassReader.SKIP_FRAMES);
        return references;
    }

    private static boolean isLettuce(String internalName) {
        return internalName.startsWith("io/lettuce/");
    }

    /** Resolves references as the JVM's linker does, reading class files from the Lettuce jar. */
    private static final class Resolver {

        private final ZipFile jar;
        private final Map<String, ClassReader> classes = new HashMap<>();

        Resolver(ZipFile jar) {
            this.jar = jar;
        }

        boolean resolves(Reference reference) throws IOException {
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
            ZipEntry entry = jar.getEntry(internalName + ".class");
            ClassReader reader = null;
            if (entry != null) {
                try (InputStream in = jar.getInputStream(entry)) {
                    reader = new ClassReader(in.readAllBytes());
                }
            }
            classes.put(internalName, reader);
            return reader;
        }

        private boolean hasMethod(String owner, String name, String descriptor, Set<String> seen) throws IOException {
            if (!seen.add(owner)) {
                return false;
            }
            if (!isLettuce(owner)) {
                return jdkOrLibraryHasMethod(owner, name, descriptor);
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
            for (String type = owner; type != null && isLettuce(type); ) {
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

        /** A method inherited from outside Lettuce (the JDK, Netty): looked up on the test's class path. */
        private static boolean jdkOrLibraryHasMethod(String owner, String name, String descriptor) {
            try {
                Class<?> type = Class.forName(owner.replace('/', '.'), false, AdapterLinkageTest.class.getClassLoader());
                for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                    for (java.lang.reflect.Method method : c.getDeclaredMethods()) {
                        if (method.getName().equals(name) && Type.getMethodDescriptor(method).equals(descriptor)) {
                            return true;
                        }
                    }
                }
                for (Class<?> each : type.getInterfaces()) {
                    for (java.lang.reflect.Method method : each.getMethods()) {
                        if (method.getName().equals(name) && Type.getMethodDescriptor(method).equals(descriptor)) {
                            return true;
                        }
                    }
                }
                return name.equals("<init>") || type.isInterface() && Object.class.getMethods().length > 0
                        && hasObjectMethod(name, descriptor);
            } catch (ClassNotFoundException e) {
                return false;
            }
        }

        private static boolean hasObjectMethod(String name, String descriptor) {
            for (java.lang.reflect.Method method : Object.class.getMethods()) {
                if (method.getName().equals(name) && Type.getMethodDescriptor(method).equals(descriptor)) {
                    return true;
                }
            }
            return false;
        }
    }
}
