package io.stateguard.agent.telemetry;

import io.stateguard.agent.internal.InternalErrors;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reflective access to one copy of the OpenTelemetry API: the OpenTelemetry Java agent's (shaded
 * below {@code io.opentelemetry.javaagent.shaded}, on the bootstrap class path), the application's
 * own ({@code io.opentelemetry}, in the class loader of its Lettuce), or the agent's embedded one
 * (relocated below {@code io.stateguard.agent.shaded}).
 *
 * <p>Why reflection: the agent cannot link against a copy it does not know at build time, and must
 * never make the application load or initialise API classes of a version it did not choose. Only
 * methods that exist in every 1.x API are used, each looked up on its public interface (never on an
 * implementation class, which may be package-private and refuse access).
 */
final class OtelApi {

    /** The package prefix of this copy, such as {@code io.opentelemetry}. */
    final String prefix;

    final Class<?> contextClass;
    private final Class<?> openTelemetryClass;
    private final Method contextCurrent;
    private final Object contextRoot;
    private final Method getTracer;
    private final Method getMeter;
    private final Method spanBuilder;
    private final Method setParent;
    private final Method setNoParent;
    private final Method setStringAttribute;
    private final Method setLongAttribute;
    private final Method setStartTimestamp;
    private final Method startSpan;
    private final Method setStatus;
    private final Object statusError;
    private final Method endAt;
    private final Method attributesBuilder;
    private final Method attributesPut;
    private final Method attributesBuild;
    private final Method counterBuilder;
    private final Method counterDescription;
    private final Method counterCallback;
    private final Method gaugeBuilder;
    private final Method gaugeDescription;
    private final Method gaugeOfLongs;
    private final Method longGaugeCallback;
    private final Method measurementRecord;
    private final Method gaugeUnit;
    private final Method longGaugeUnit;
    private final Method doubleGaugeCallback;
    private final Method doubleMeasurementRecord;

    private OtelApi(String prefix, ClassLoader loader) throws ReflectiveOperationException {
        this.prefix = prefix;
        contextClass = type(prefix + ".context.Context", loader);
        openTelemetryClass = type(prefix + ".api.OpenTelemetry", loader);
        Class<?> tracer = type(prefix + ".api.trace.Tracer", loader);
        Class<?> builder = type(prefix + ".api.trace.SpanBuilder", loader);
        Class<?> span = type(prefix + ".api.trace.Span", loader);
        Class<?> statusCode = type(prefix + ".api.trace.StatusCode", loader);
        Class<?> attributes = type(prefix + ".api.common.Attributes", loader);
        Class<?> attributesBuilderClass = type(prefix + ".api.common.AttributesBuilder", loader);

        contextCurrent = contextClass.getMethod("current");
        contextRoot = contextClass.getMethod("root").invoke(null);
        getTracer = openTelemetryClass.getMethod("getTracer", String.class, String.class);
        spanBuilder = tracer.getMethod("spanBuilder", String.class);
        setParent = builder.getMethod("setParent", contextClass);
        setNoParent = builder.getMethod("setNoParent");
        setStringAttribute = builder.getMethod("setAttribute", String.class, String.class);
        setLongAttribute = builder.getMethod("setAttribute", String.class, long.class);
        setStartTimestamp = builder.getMethod("setStartTimestamp", long.class, TimeUnit.class);
        startSpan = builder.getMethod("startSpan");
        setStatus = span.getMethod("setStatus", statusCode);
        statusError = enumConstant(statusCode, "ERROR");
        endAt = span.getMethod("end", long.class, TimeUnit.class);
        attributesBuilder = attributes.getMethod("builder");
        attributesPut = attributesBuilderClass.getMethod("put", String.class, String.class);
        attributesBuild = attributesBuilderClass.getMethod("build");

        // Metrics joined the API in 1.10: older copies still get spans.
        Method meter = null;
        Method counter = null;
        Method counterDescriptionMethod = null;
        Method counterCallbackMethod = null;
        Method gauge = null;
        Method gaugeDescriptionMethod = null;
        Method ofLongs = null;
        Method longGaugeCallbackMethod = null;
        Method record = null;
        Method gaugeUnitMethod = null;
        Method longGaugeUnitMethod = null;
        Method doubleGaugeCallbackMethod = null;
        Method doubleRecord = null;
        try {
            Class<?> meterClass = type(prefix + ".api.metrics.Meter", loader);
            Class<?> counterBuilderClass = type(prefix + ".api.metrics.LongCounterBuilder", loader);
            Class<?> gaugeBuilderClass = type(prefix + ".api.metrics.DoubleGaugeBuilder", loader);
            Class<?> longGaugeBuilderClass = type(prefix + ".api.metrics.LongGaugeBuilder", loader);
            Class<?> measurement = type(prefix + ".api.metrics.ObservableLongMeasurement", loader);
            meter = openTelemetryClass.getMethod("getMeter", String.class);
            counter = meterClass.getMethod("counterBuilder", String.class);
            counterDescriptionMethod = counterBuilderClass.getMethod("setDescription", String.class);
            counterCallbackMethod = counterBuilderClass.getMethod("buildWithCallback", Consumer.class);
            gauge = meterClass.getMethod("gaugeBuilder", String.class);
            gaugeDescriptionMethod = gaugeBuilderClass.getMethod("setDescription", String.class);
            ofLongs = gaugeBuilderClass.getMethod("ofLongs");
            longGaugeCallbackMethod = longGaugeBuilderClass.getMethod("buildWithCallback", Consumer.class);
            record = measurement.getMethod("record", long.class, attributes);
            gaugeUnitMethod = gaugeBuilderClass.getMethod("setUnit", String.class);
            longGaugeUnitMethod = longGaugeBuilderClass.getMethod("setUnit", String.class);
            doubleGaugeCallbackMethod = gaugeBuilderClass.getMethod("buildWithCallback", Consumer.class);
            doubleRecord = type(prefix + ".api.metrics.ObservableDoubleMeasurement", loader)
                    .getMethod("record", double.class, attributes);
        } catch (ReflectiveOperationException | LinkageError e) {
            meter = null;
        }
        getMeter = meter;
        counterBuilder = counter;
        counterDescription = counterDescriptionMethod;
        counterCallback = counterCallbackMethod;
        gaugeBuilder = gauge;
        gaugeDescription = gaugeDescriptionMethod;
        gaugeOfLongs = ofLongs;
        longGaugeCallback = longGaugeCallbackMethod;
        measurementRecord = record;
        gaugeUnit = gaugeUnitMethod;
        longGaugeUnit = longGaugeUnitMethod;
        doubleGaugeCallback = doubleGaugeCallbackMethod;
        doubleMeasurementRecord = doubleRecord;
    }

    /**
     * The API below {@code prefix} as {@code loader} sees it.
     *
     * @throws ReflectiveOperationException when that copy is absent or lacks a method the agent needs.
     */
    static OtelApi load(String prefix, ClassLoader loader) throws ReflectiveOperationException {
        try {
            return new OtelApi(prefix, loader);
        } catch (LinkageError e) {
            throw new ClassNotFoundException(prefix + ": " + e, e);
        }
    }

    /** Whether {@code openTelemetry} is an instance of this copy's {@code OpenTelemetry}. */
    boolean isOpenTelemetry(Object openTelemetry) {
        return openTelemetryClass.isInstance(openTelemetry);
    }

    /**
     * The registered {@code GlobalOpenTelemetry} of this copy, or {@code null} when none is set yet.
     * Never calls {@code get()} before something was set: in most versions that would install a
     * no-op (or autoconfigure one) and make the application's own {@code set()} fail later.
     */
    static Object globalIfSet(String prefix, ClassLoader loader) throws ReflectiveOperationException {
        Class<?> global = type(prefix + ".api.GlobalOpenTelemetry", loader);
        boolean set;
        try {
            set = (Boolean) global.getMethod("isSet").invoke(null);
        } catch (NoSuchMethodException e) {
            // Before isSet() (API 1.50): the private static field that set() writes.
            set = false;
            for (Field field : global.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType().getName().endsWith("OpenTelemetry")) {
                    field.setAccessible(true);
                    set |= field.get(null) != null;
                }
            }
        }
        if (!set) {
            return null;
        }
        Object openTelemetry = global.getMethod("get").invoke(null);
        // A library that called GlobalOpenTelemetry.get() before anyone set an SDK installed the no-op
        // one: spans sent there vanish, so it counts as not set (and the agent keeps looking).
        Class<?> tracerProvider = type(prefix + ".api.trace.TracerProvider", loader);
        Object tracers = type(prefix + ".api.OpenTelemetry", loader).getMethod("getTracerProvider")
                .invoke(openTelemetry);
        return tracers == tracerProvider.getMethod("noop").invoke(null) ? null : openTelemetry;
    }

    /** {@code Context.current()}, or {@code null} when it is the root context (nothing to join). */
    Object currentContextOrNull() throws ReflectiveOperationException {
        Object current = contextCurrent.invoke(null);
        return current == contextRoot ? null : current;
    }

    Object tracer(Object openTelemetry, String name, String version) throws ReflectiveOperationException {
        return getTracer.invoke(openTelemetry, name, version);
    }

    /** The meter, or {@code null} when this API copy has no metrics. */
    Object meter(Object openTelemetry, String name) throws ReflectiveOperationException {
        return getMeter == null ? null : getMeter.invoke(openTelemetry, name);
    }

    /**
     * Creates and ends one span at {@code epochNanos} (an event: it has no duration of its own).
     *
     * @param parent a context of this copy, or {@code null} for a root span (never the thread's
     *     current context: on a Netty thread that belongs to someone else).
     * @param attributes alternating names and values; a {@code Long} value is set as a number, a
     *     {@code null} value leaves the attribute out.
     */
    void emitSpan(Object tracer, String name, Object parent, List<Object> attributes, boolean error, long epochNanos)
            throws ReflectiveOperationException {
        Object builder = spanBuilder.invoke(tracer, name);
        if (parent != null && contextClass.isInstance(parent)) {
            setParent.invoke(builder, parent);
        } else {
            setNoParent.invoke(builder);
        }
        for (int i = 0; i + 1 < attributes.size(); i += 2) {
            Object value = attributes.get(i + 1);
            if (value instanceof Long) {
                setLongAttribute.invoke(builder, attributes.get(i), value);
            } else if (value != null) {
                setStringAttribute.invoke(builder, attributes.get(i), value.toString());
            }
        }
        setStartTimestamp.invoke(builder, epochNanos, TimeUnit.NANOSECONDS);
        Object span = startSpan.invoke(builder);
        if (error) {
            setStatus.invoke(span, statusError);
        }
        endAt.invoke(span, epochNanos, TimeUnit.NANOSECONDS);
    }

    /** A measurement callback's view: records values with string attributes. */
    interface Recorder {
        /** Records {@code value} with alternating attribute names and values. */
        void record(long value, String... attributes);
    }

    /**
     * A source of observations, called by the SDK's metric reader (never on the application's threads).
     * What it throws skips that observation and is counted as the internal error {@code telemetry.metrics}.
     */
    interface Observer {
        void observe(Recorder recorder);
    }

    /** Registers an asynchronous counter; {@code false} when this copy has no metrics. */
    boolean observableCounter(Object meter, String name, String description, Observer observer)
            throws ReflectiveOperationException {
        if (meter == null || counterBuilder == null) {
            return false;
        }
        Object builder = counterBuilder.invoke(meter, name);
        counterDescription.invoke(builder, description);
        counterCallback.invoke(builder, callback(observer));
        return true;
    }

    /** Registers an asynchronous long gauge; {@code false} when this copy has no metrics. */
    boolean observableGauge(Object meter, String name, String description, Observer observer)
            throws ReflectiveOperationException {
        return observableGauge(meter, name, description, null, observer);
    }

    /**
     * Registers an asynchronous long gauge with a unit ({@code null}: none); {@code false} when this copy has no
     * metrics.
     */
    boolean observableGauge(Object meter, String name, String description, String unit, Observer observer)
            throws ReflectiveOperationException {
        if (meter == null || gaugeBuilder == null) {
            return false;
        }
        Object builder = gaugeBuilder.invoke(meter, name);
        gaugeDescription.invoke(builder, description);
        Object longs = gaugeOfLongs.invoke(builder);
        if (unit != null) {
            longGaugeUnit.invoke(longs, unit);
        }
        longGaugeCallback.invoke(longs, callback(observer));
        return true;
    }

    /** A measurement callback's view for double values. */
    interface DoubleRecorder {
        void record(double value, String... attributes);
    }

    /** A source of double observations (see {@link Observer}). */
    interface DoubleObserver {
        void observe(DoubleRecorder recorder);
    }

    /** Registers an asynchronous double gauge with a unit; {@code false} when this copy has no metrics. */
    boolean observableDoubleGauge(Object meter, String name, String description, String unit,
            final DoubleObserver observer) throws ReflectiveOperationException {
        if (meter == null || gaugeBuilder == null) {
            return false;
        }
        Object builder = gaugeBuilder.invoke(meter, name);
        gaugeDescription.invoke(builder, description);
        gaugeUnit.invoke(builder, unit);
        doubleGaugeCallback.invoke(builder, new Guarded() {
            @Override
            void observe(final Object measurement) {
                observer.observe(new DoubleRecorder() {
                    @Override
                    public void record(double value, String... attributes) {
                        recordInto(doubleMeasurementRecord, measurement, value, attributes);
                    }
                });
            }
        });
        return true;
    }

    private Consumer<Object> callback(final Observer observer) {
        return new Guarded() {
            @Override
            void observe(final Object measurement) {
                observer.observe(new Recorder() {
                    @Override
                    public void record(long value, String... attributes) {
                        recordInto(measurementRecord, measurement, value, attributes);
                    }
                });
            }
        };
    }

    /**
     * The SDK's callback for one instrument: hands the measurement over, and never throws into the SDK's metric
     * reader (what goes wrong skips the observation and is counted once per cause).
     */
    private abstract static class Guarded implements Consumer<Object> {

        @Override
        public final void accept(Object measurement) {
            try {
                observe(measurement);
            } catch (Throwable t) {
                InternalErrors.record("telemetry.metrics", t);
            }
        }

        abstract void observe(Object measurement);
    }

    /** {@code measurement.record(value, attributes)} through {@code record}, the measurement type's method. */
    private void recordInto(Method record, Object measurement, Object value, String... attributes) {
        try {
            record.invoke(measurement, value, attributes(attributes));
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object attributes(String... nameValues) throws ReflectiveOperationException {
        Object builder = attributesBuilder.invoke(null);
        for (int i = 0; i + 1 < nameValues.length; i += 2) {
            if (nameValues[i + 1] != null) {
                builder = attributesPut.invoke(builder, nameValues[i], nameValues[i + 1]);
            }
        }
        return attributesBuild.invoke(builder);
    }

    private static Class<?> type(String name, ClassLoader loader) throws ClassNotFoundException {
        return Class.forName(name, false, loader);
    }

    private static Object enumConstant(Class<?> type, String name) throws NoSuchFieldException {
        for (Object constant : type.getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }
}
