package io.stateguard.agent.instrumentation;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the agent needs to know of a class without loading it: its modifiers, its super class, the
 * methods it declares and the names of its static fields, read from its class file.
 */
public final class ClassShape {

    private final String internalName;
    private final int access;
    private final String superName;
    private final List<String[]> methods;
    private final List<String> staticFields;
    private final Map<String, Integer> methodAccess;

    private ClassShape(String internalName, int access, String superName, List<String[]> methods,
            List<String> staticFields, Map<String, Integer> methodAccess) {
        this.internalName = internalName;
        this.access = access;
        this.superName = superName;
        this.methods = Collections.unmodifiableList(methods);
        this.staticFields = Collections.unmodifiableList(staticFields);
        this.methodAccess = methodAccess;
    }

    /** Reads the shape from a class file; method bodies are skipped. */
    public static ClassShape read(byte[] classFile) {
        final String[] header = new String[2];
        final int[] modifiers = new int[1];
        final List<String[]> methods = new ArrayList<String[]>();
        final List<String> staticFields = new ArrayList<String>();
        final Map<String, Integer> methodAccess = new HashMap<String, Integer>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                header[0] = name;
                header[1] = superName;
                modifiers[0] = access;
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                    Object value) {
                if ((access & Opcodes.ACC_STATIC) != 0) {
                    staticFields.add(name);
                }
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                methods.add(new String[] {name, descriptor});
                methodAccess.put(name + descriptor, access);
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return new ClassShape(header[0], modifiers[0], header[1], methods, staticFields, methodAccess);
    }

    /** Internal name, such as {@code io/lettuce/core/protocol/CommandHandler}. */
    public String internalName() {
        return internalName;
    }

    /** The simple name: after the last {@code /} and, for a nested class, the last {@code $}. */
    public String simpleName() {
        String name = internalName.substring(internalName.lastIndexOf('/') + 1);
        return name.substring(name.lastIndexOf('$') + 1);
    }

    public boolean isEnum() {
        return (access & Opcodes.ACC_ENUM) != 0 && "java/lang/Enum".equals(superName);
    }

    public boolean hasStaticField(String name) {
        return staticFields.contains(name);
    }

    /** The access flags ({@code Opcodes.ACC_*}) of the declared method, or {@code null} when there is none. */
    public Integer access(String name, String descriptor) {
        return methodAccess.get(name + descriptor);
    }

    /** The declared methods (constructors included) as {@code {name, descriptor}} pairs. */
    public List<String[]> methods() {
        return methods;
    }
}
