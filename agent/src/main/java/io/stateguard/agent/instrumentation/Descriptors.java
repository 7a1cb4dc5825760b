package io.stateguard.agent.instrumentation;

import java.util.ArrayList;
import java.util.List;

/** Splits JVM method descriptors, without loading any type. */
final class Descriptors {

    private Descriptors() {
    }

    /** The parameter type descriptors of a method descriptor: {@code (ILjava/lang/Object;[J)V} gives {@code I}, {@code Ljava/lang/Object;}, {@code [J}. */
    static List<String> parameters(String methodDescriptor) {
        List<String> parameters = new ArrayList<String>(4);
        int i = 1;
        while (methodDescriptor.charAt(i) != ')') {
            int start = i;
            while (methodDescriptor.charAt(i) == '[') {
                i++;
            }
            if (methodDescriptor.charAt(i) == 'L') {
                i = methodDescriptor.indexOf(';', i);
            }
            i++;
            parameters.add(methodDescriptor.substring(start, i));
        }
        return parameters;
    }

    /** The return type descriptor: after the closing parenthesis. */
    static String returnType(String methodDescriptor) {
        return methodDescriptor.substring(methodDescriptor.indexOf(')') + 1);
    }
}
