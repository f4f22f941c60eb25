// Lint harness: a top module that uses the generated package, so Verilator lints every parameter.
module pkg_lint_top
  import lifchip_pkg::*;
(
  output logic [PKT_BITS-1:0] pkt_o
);
  assign pkt_o = PKT_BITS'(REG_ID_VALUE);
endmodule
