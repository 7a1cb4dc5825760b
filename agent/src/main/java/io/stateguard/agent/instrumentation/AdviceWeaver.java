package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.AgentLog;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.ArrayList;
import java.util.List;

/**
 * Weaves {@link MethodAdvice} calls into the methods of a class file. Plain ASM, one pass, no
 * computed frames: the few instructions it adds need only frames it knows without loading any class
 * (the method's frame on entry, and an empty frame for its catch-all handler), so weaving a class
 * reads it once and never asks a class loader for anything.
 *
 * <p>For a method with advice, it adds:
 * <ul>
 *   <li>at entry, a call to the advice's entry method with {@code this} and the requested arguments;
 *       its result, if any, then skips the body (returning the default value) or replaces an
 *       argument;</li>
 *   <li>with an exit method: a call to it before every return, and a catch-all handler around the
 *       original body that calls it and rethrows. The handler comes last in the exception table, so
 *       the method's own handlers keep precedence.</li>
 * </ul>
 * Only the bodies of existing methods change: no field, method or interface is added, so the same
 * weaving is legal when retransforming a loaded class (attaching to a running JVM). Constructors,
 * static initialisers, abstract and native methods are never advised.
 */
public final class AdviceWeaver {

    private static final int API = Opcodes.ASM9;

    private AdviceWeaver() {
    }

    /** One advice and the methods it goes into. */
    public static final class Binding {

        final MethodMatcher methods;
        final MethodAdvice advice;

        public Binding(MethodMatcher methods, MethodAdvice advice) {
            this.methods = methods;
            this.advice = advice;
        }

        public MethodMatcher methods() {
            return methods;
        }

        public MethodAdvice advice() {
            return advice;
        }

        @Override
        public String toString() {
            return methods + " -> " + advice;
        }
    }

    /** The advice {@code type} registers, in order. */
    public static List<Binding> bindings(TypeInstrumentation type) {
        final List<Binding> bindings = new ArrayList<Binding>();
        type.transform(new TypeTransformer() {
            @Override
            public void applyAdviceToMethod(MethodMatcher methodMatcher, MethodAdvice advice) {
                bindings.add(new Binding(methodMatcher, advice));
            }
        });
        return bindings;
    }

    /**
     * @param classFile the class as the JVM is about to define it.
     * @param bindings the advice for this class.
     * @param classes reads other classes of its class loader, for method matchers that need them.
     * @param advised receives {@code name + descriptor} of every advised method.
     * @return the woven class file, or {@code null} when no method matched or an advice does not fit a
     *     method it matched ({@link AdviceFit}: the class is left as it is, with one warning).
     */
    public static byte[] weave(byte[] classFile, final List<Binding> bindings, final ClassShapes classes,
            final List<String> advised) {
        ClassReader reader = new ClassReader(classFile);
        // Passing the reader lets ASM copy every method without advice as it is.
        ClassWriter writer = new ClassWriter(reader, 0);
        final int sizeBefore = advised.size();
        final List<String> unfit = new ArrayList<String>(0);
        reader.accept(new ClassVisitor(API, writer) {
            private String owner;
            private boolean frames;

            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                owner = name;
                // Class files from Java 6 on carry stack map frames; older ones are verified without.
                frames = (version & 0xFFFF) >= Opcodes.V1_6;
                super.visit(version, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor method = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (method == null || name.charAt(0) == '<'
                        || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                    return method;
                }
                for (Binding binding : bindings) {
                    if (binding.methods.matches(name, descriptor, classes)) {
                        String problem = AdviceFit.problem(binding.advice, access, descriptor);
                        if (problem != null) {
                            unfit.add(name + descriptor + ": " + problem);
                            return method;
                        }
                        advised.add(name + descriptor);
                        return new AdvisedMethod(method, owner, access, descriptor, binding.advice,
                                AdviceFit.enterDescriptor(binding.advice), frames);
                    }
                }
                return method;
            }
        }, ClassReader.EXPAND_FRAMES);
        if (!unfit.isEmpty()) {
            // All or nothing: a class with one advice that does not fit keeps every method as it is.
            while (advised.size() > sizeBefore) {
                advised.remove(advised.size() - 1);
            }
            String className = reader.getClassName().replace('/', '.');
            AgentLog.once(AgentLog.Level.WARN, "unfit:" + className + unfit, "StateGuard leaves " + className
                    + " unchanged: its advice does not fit (" + String.join("; ", unfit) + ")", null);
            return null;
        }
        return advised.size() == sizeBefore ? null : writer.toByteArray();
    }

    /**
     * Adds the advice calls to one method; everything else passes through unchanged. The call has been
     * checked to fit the method ({@link AdviceFit#problem}) before this is made.
     */
    private static final class AdvisedMethod extends MethodVisitor {

        private final MethodAdvice advice;
        private final String enterDescriptor;
        private final boolean isStatic;
        private final String returnType;
        private final List<String> parameters;
        private final boolean frames;
        private final Object[] entryLocals;
        private final int extraStack;
        private boolean bodyStarted;
        private Label bodyEnd;
        private Label handler;

        AdvisedMethod(MethodVisitor target, String owner, int access, String descriptor, MethodAdvice advice,
                String enterDescriptor, boolean frames) {
            super(API, target);
            this.advice = advice;
            this.enterDescriptor = enterDescriptor;
            this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
            this.returnType = Descriptors.returnType(descriptor);
            this.parameters = Descriptors.parameters(descriptor);
            this.frames = frames;
            List<Object> locals = new ArrayList<Object>();
            int slots = 0;
            if (!isStatic) {
                locals.add(owner);
                slots++;
            }
            for (String parameter : parameters) {
                locals.add(frameType(parameter));
                slots += size(parameter);
            }
            this.entryLocals = locals.toArray();
            // the entry call's arguments at most; 2 for a long or double default value; 1 for the handler's exception
            this.extraStack = Math.max(slots, 2) + 1;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            for (int argument : advice.enterArguments()) {
                if (argument == MethodAdvice.THIS) {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                } else {
                    super.visitVarInsn(opcode(parameters.get(argument), Opcodes.ILOAD), slot(argument));
                }
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.adviceInternalName(), advice.enterMethod(),
                    enterDescriptor, false);
            switch (advice.onEnter()) {
                case SKIP_ON_TRUE:
                    Label proceed = new Label();
                    super.visitJumpInsn(Opcodes.IFEQ, proceed);
                    returnDefault();
                    super.visitLabel(proceed);
                    if (frames) {
                        super.visitFrame(Opcodes.F_NEW, entryLocals.length, entryLocals.clone(), 0, new Object[0]);
                    }
                    // The body's first instruction may carry a frame of its own: one frame per offset.
                    super.visitInsn(Opcodes.NOP);
                    break;
                case ASSIGN_ARGUMENT:
                    String parameter = parameters.get(advice.assignedArgument());
                    if (parameter.charAt(0) == 'L' || parameter.charAt(0) == '[') {
                        super.visitTypeInsn(Opcodes.CHECKCAST, parameter.charAt(0) == '['
                                ? parameter : parameter.substring(1, parameter.length() - 1));
                    }
                    super.visitVarInsn(opcode(parameter, Opcodes.ISTORE), slot(advice.assignedArgument()));
                    break;
                default:
                    break;
            }
        }

        /**
         * Called before the first instruction of the original body: the reader has visited the
         * method's own exception handlers by then, so the catch-all registered here comes after them.
         */
        private void startBody() {
            if (bodyStarted) {
                return;
            }
            bodyStarted = true;
            if (advice.exitMethod() != null) {
                Label bodyStart = new Label();
                bodyEnd = new Label();
                handler = new Label();
                super.visitTryCatchBlock(bodyStart, bodyEnd, handler, "java/lang/Throwable");
                super.visitLabel(bodyStart);
            }
        }

        private void exit() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, advice.adviceInternalName(), advice.exitMethod(), "()V", false);
        }

        @Override
        public void visitInsn(int opcode) {
            startBody();
            if (advice.exitMethod() != null && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                exit();
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (handler != null) {
                super.visitLabel(bodyEnd);
                super.visitLabel(handler);
                if (frames) {
                    super.visitFrame(Opcodes.F_NEW, 0, new Object[0], 1, new Object[] {"java/lang/Throwable"});
                }
                exit();
                super.visitInsn(Opcodes.ATHROW);
            }
            super.visitMaxs(maxStack + extraStack, maxLocals);
        }

        private void returnDefault() {
            switch (returnType.charAt(0)) {
                case 'V':
                    super.visitInsn(Opcodes.RETURN);
                    break;
                case 'J':
                    super.visitInsn(Opcodes.LCONST_0);
                    super.visitInsn(Opcodes.LRETURN);
                    break;
                case 'F':
                    super.visitInsn(Opcodes.FCONST_0);
                    super.visitInsn(Opcodes.FRETURN);
                    break;
                case 'D':
                    super.visitInsn(Opcodes.DCONST_0);
                    super.visitInsn(Opcodes.DRETURN);
                    break;
                case 'L':
                case '[':
                    super.visitInsn(Opcodes.ACONST_NULL);
                    super.visitInsn(Opcodes.ARETURN);
                    break;
                default:
                    super.visitInsn(Opcodes.ICONST_0);
                    super.visitInsn(Opcodes.IRETURN);
                    break;
            }
        }

        private int slot(int parameter) {
            int slot = isStatic ? 0 : 1;
            for (int i = 0; i < parameter; i++) {
                slot += size(parameters.get(i));
            }
            return slot;
        }

        // Every visit of the original body starts it (the first one registers the catch-all).

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            startBody();
            super.visitFrame(type, numLocal, local, numStack, stack);
        }

        @Override
        public void visitLabel(Label label) {
            startBody();
            super.visitLabel(label);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            startBody();
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            startBody();
            super.visitVarInsn(opcode, var);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            startBody();
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            startBody();
            super.visitFieldInsn(opcode, owner, name, descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            startBody();
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrapMethodHandle,
                Object... bootstrapMethodArguments) {
            startBody();
            super.visitInvokeDynamicInsn(name, descriptor, bootstrapMethodHandle, bootstrapMethodArguments);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            startBody();
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitLdcInsn(Object value) {
            startBody();
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            startBody();
            super.visitIincInsn(var, increment);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            startBody();
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            startBody();
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            startBody();
            super.visitMultiANewArrayInsn(descriptor, numDimensions);
        }
    }

    /** The frame entry of a parameter's type, as ASM expects it for {@code F_NEW} frames. */
    private static Object frameType(String descriptor) {
        switch (descriptor.charAt(0)) {
            case 'J':
                return Opcodes.LONG;
            case 'F':
                return Opcodes.FLOAT;
            case 'D':
                return Opcodes.DOUBLE;
            case 'L':
                return descriptor.substring(1, descriptor.length() - 1);
            case '[':
                return descriptor;
            default:
                return Opcodes.INTEGER;
        }
    }

    private static int size(String descriptor) {
        char type = descriptor.charAt(0);
        return type == 'J' || type == 'D' ? 2 : 1;
    }

    /** {@code ILOAD}/{@code ISTORE} adjusted to the type (ASM's {@code Type.getOpcode} without loading {@code Type}). */
    private static int opcode(String descriptor, int intOpcode) {
        switch (descriptor.charAt(0)) {
            case 'J':
                return intOpcode + 1;
            case 'F':
                return intOpcode + 2;
            case 'D':
                return intOpcode + 3;
            case 'L':
            case '[':
                return intOpcode + 4;
            default:
                return intOpcode;
        }
    }
}
