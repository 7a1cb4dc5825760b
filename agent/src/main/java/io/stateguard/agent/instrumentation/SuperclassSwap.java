package io.stateguard.agent.instrumentation;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites a class file to extend another class: its superclass and every call to a method of the
 * old superclass (its constructors, for the helpers) name the new one. Used only on helpers whose
 * superclass, a library class, is absent where they are loaded, with the library class's own
 * superclass as the new one (same constructors).
 */
final class SuperclassSwap {

    private SuperclassSwap() {
    }

    static byte[] swap(byte[] classFile, final String from, final String to) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                super.visit(version, access, name, signature, from.equals(superName) ? to : superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature,
                        exceptions)) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String methodDescriptor,
                            boolean isInterface) {
                        super.visitMethodInsn(opcode, from.equals(owner) ? to : owner, method, methodDescriptor,
                                isInterface);
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }
}
