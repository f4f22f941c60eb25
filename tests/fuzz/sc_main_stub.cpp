// libsystemc.so refers to sc_main (it defines a main that calls it). Fuzz targets that link the
// SystemC model through the HIL or flow layers use libFuzzer's main instead; this is never called.
int sc_main(int, char**) { return 0; }
