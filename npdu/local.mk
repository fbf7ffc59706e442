## npdu: appended to librouter_a_SOURCES and friends.
