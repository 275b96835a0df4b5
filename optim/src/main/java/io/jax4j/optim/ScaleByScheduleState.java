package io.jax4j.optim;

/** The state of {@code scaleBySchedule}: the int32 step at which the schedule is evaluated next. */
public record ScaleByScheduleState(io.jax4j.Array count) {}
