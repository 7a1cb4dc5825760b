package io.stateguard.agent.instrumentation;

import org.objectweb.asm.Opcodes;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether an advice call fits the method it is woven into, decided before anything is woven, from class
 * files alone (nothing is loaded): what Byte Buddy's advice binding would have refused, so that a mismatch
 * leaves the class unchanged with a warning instead of becoming a {@code VerifyError} in the application.
 *
 * <p>The advice's descriptors come from the advice class itself, read from the agent's jar: the entry
 * method is the one {@code public static} method of its name, the exit method {@code public static void}
 * without parameters. A call fits when:
 * <ul>
 *   <li>it passes one argument per parameter of the entry method;</li>
 *   <li>{@link MethodAdvice#THIS} goes only into an instance method, to an {@code Object} parameter;</li>
 *   <li>a parameter of the target goes to a parameter of exactly its type, or of type {@code Object} when it
 *       is a reference;</li>
 *   <li>the entry method returns what its {@link MethodAdvice.OnEnter} needs: {@code void}, {@code boolean},
 *       or the type of the parameter of the target that it replaces ({@code Object} will do for a reference).</li>
 * </ul>
 */
final class AdviceFit {

    private static final String OBJECT = "Ljava/lang/Object;";

    /** The advice classes' shapes, by internal name; they are the agent's own and never change. */
    private static final Map<String, ClassShape> ADVICE_SHAPES = new ConcurrentHashMap<String, ClassShape>();

    private AdviceFit() {
    }

    /**
     * The entry method's descriptor, as the advice class declares it.
     *
     * @throws IllegalStateException when the advice class or its entry method cannot be found, or the name is
     *     not unique among its {@code public static} methods
     */
    static String enterDescriptor(MethodAdvice advice) {
        ClassShape shape = adviceShape(advice);
        String found = null;
        for (String[] method : shape.methods()) {
            if (method[0].equals(advice.enterMethod()) && isPublicStatic(shape.access(method[0], method[1]))) {
                if (found != null) {
                    throw new IllegalStateException(advice.adviceClass() + " declares more than one public static "
                            + advice.enterMethod());
                }
                found = method[1];
            }
        }
        if (found == null) {
            throw new IllegalStateException(advice.adviceClass() + " declares no public static "
                    + advice.enterMethod());
        }
        return found;
    }

    /**
     * Why {@code advice} cannot be woven into a method with {@code access} and {@code descriptor}, or
     * {@code null} when it fits.
     */
    static String problem(MethodAdvice advice, int access, String descriptor) {
        String enter;
        try {
            enter = enterDescriptor(advice);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        String call = Shapes.simpleName(advice.adviceClass()) + "." + advice.enterMethod() + enter;
        List<String> advised = Descriptors.parameters(enter);
        List<String> target = Descriptors.parameters(descriptor);
        int[] arguments = advice.enterArguments();
        if (arguments.length != advised.size()) {
            return call + " takes " + advised.size() + " arguments, the advice passes " + arguments.length;
        }
        for (int i = 0; i < arguments.length; i++) {
            int argument = arguments[i];
            if (argument == MethodAdvice.THIS) {
                if ((access & Opcodes.ACC_STATIC) != 0) {
                    return call + " is passed 'this' of a static method";
                }
                if (!advised.get(i).equals(OBJECT)) {
                    return call + " takes 'this' as " + advised.get(i) + ", not " + OBJECT;
                }
            } else if (argument < 0 || argument >= target.size()) {
                return call + " is passed parameter " + argument + " of a method with " + target.size();
            } else if (!fits(target.get(argument), advised.get(i))) {
                return call + " takes " + advised.get(i) + " for parameter " + argument + " of type " + target.get(argument);
            }
        }
        String returned = Descriptors.returnType(enter);
        switch (advice.onEnter()) {
            case SKIP_ON_TRUE:
                if (!returned.equals("Z")) {
                    return call + " must return boolean to skip the method";
                }
                break;
            case ASSIGN_ARGUMENT:
                int assigned = advice.assignedArgument();
                if (assigned < 0 || assigned >= target.size()) {
                    return call + " replaces parameter " + assigned + " of a method with " + target.size();
                }
                // A reference parameter takes its type or Object; a primitive one exactly its type.
                if (!returned.equals(target.get(assigned))
                        && !(returned.equals(OBJECT) && isReference(target.get(assigned)))) {
                    return call + " returns " + returned + ", not a value for parameter " + assigned + " ("
                            + target.get(assigned) + ")";
                }
                break;
            default:
                if (!returned.equals("V")) {
                    return call + " must return void";
                }
                break;
        }
        if (advice.exitMethod() != null) {
            ClassShape shape = adviceShape(advice);
            Integer exitAccess = shape.access(advice.exitMethod(), "()V");
            if (exitAccess == null || !isPublicStatic(exitAccess)) {
                return Shapes.simpleName(advice.adviceClass()) + " declares no public static void " + advice.exitMethod() + "()";
            }
        }
        return null;
    }

    private static boolean fits(String targetType, String adviceType) {
        return adviceType.equals(targetType) || (adviceType.equals(OBJECT) && isReference(targetType));
    }

    private static boolean isReference(String type) {
        return type.charAt(0) == 'L' || type.charAt(0) == '[';
    }

    private static boolean isPublicStatic(Integer access) {
        return access != null && (access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC))
                == (Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC);
    }

    private static ClassShape adviceShape(MethodAdvice advice) {
        String internalName = advice.adviceInternalName();
        ClassShape shape = ADVICE_SHAPES.get(internalName);
        if (shape == null) {
            shape = ClassShapes.of(AdviceFit.class.getClassLoader()).find(internalName);
            if (shape == null) {
                throw new IllegalStateException("the advice class " + advice.adviceClass() + " is not in the agent");
            }
            ADVICE_SHAPES.put(internalName, shape);
        }
        return shape;
    }
}
