package io.stateguard.agent.instrumentation;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before anything is instrumented, that a library in a class loader has the shape a module
 * was written for: each instrumented class exists, each advice finds a method to go into, and each
 * advice call fits that method ({@link AdviceFit}). A
 * module is applied to a class loader completely or not at all, so a library version that renamed
 * a method or changed a parameter type (an unknown, future shape) is left unchanged instead of
 * being half instrumented.
 *
 * <p>Classes are read as class files through the class loader's resources ({@link ClassShapes}),
 * never loaded, so the check neither initialises nor pins the application's classes.
 */
public final class Shapes {

    private Shapes() {
    }

    /**
     * What does not fit {@code module} in {@code classLoader}: one entry per missing class or per
     * advice that finds no method; empty when the module can be applied.
     */
    public static List<String> problems(InstrumentationModule module, ClassLoader classLoader) {
        List<String> problems = new ArrayList<String>();
        ClassShapes classes = ClassShapes.of(classLoader);
        for (TypeInstrumentation instrumentation : module.typeInstrumentations()) {
            String name = instrumentation.typeName();
            try {
                ClassShape type = classes.find(name.replace('.', '/'));
                if (type == null) {
                    problems.add(name + " is missing");
                    continue;
                }
                for (AdviceWeaver.Binding binding : AdviceWeaver.bindings(instrumentation)) {
                    boolean declared = false;
                    for (String[] method : type.methods()) {
                        if (binding.methods().matches(method[0], method[1], classes)) {
                            declared = true;
                            String unfit = AdviceFit.problem(binding.advice(), type.access(method[0], method[1]),
                                    method[1]);
                            if (unfit != null) {
                                problems.add(simpleName(name) + "." + binding.methods() + " does not fit its advice: "
                                        + unfit);
                            }
                        }
                    }
                    if (!declared) {
                        problems.add(simpleName(name) + " has no " + binding.methods());
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                problems.add(name + " cannot be read (" + e + ")");
            }
        }
        return problems;
    }

    static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
