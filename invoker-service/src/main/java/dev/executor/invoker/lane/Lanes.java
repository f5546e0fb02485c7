package dev.executor.invoker.lane;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

/** The lanes of this invoker, by {@link Lane#name()}. */
@ApplicationScoped
public class Lanes {

    private final Map<String, Lane> byName = new HashMap<>();

    public Lanes(@Any Instance<Lane> lanes) {
        for (Lane lane : lanes) {
            Lane previous = byName.put(lane.name(), lane);
            if (previous != null) {
                throw new IllegalStateException("Two lanes named " + lane.name() + ": " + previous.getClass() + ", " + lane.getClass());
            }
        }
    }

    /** The lane for {@code name}, or null when this invoker has none. */
    public Lane get(String name) {
        return byName.get(name);
    }
}
