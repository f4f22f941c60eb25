// Five-port mesh router (spec §6, §10.3): an input FIFO per port, XY dimension-order routing,
// one grant per output per cycle, round-robin from a per-output pointer, back-pressure from the
// downstream FIFO's start-of-cycle occupancy. Keeps its core's router counters (spec §8, §10.5).
// Per-port buses are flat vectors, port p at [p*width +: width] (Yosys 0.23 has no array ports).
module lifchip_router #(
  localparam int unsigned Ports = lifchip_pkg::ROUTER_PORTS,
  localparam int unsigned FlitW = lifchip_pkg::PKT_BITS,
  localparam int unsigned OccW = $clog2(lifchip_pkg::ROUTER_BUF_DEPTH + 1)
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  clr_i,      // image load / soft reset: empty FIFOs, pointers 0
  input  logic                  cnt_clr_i,  // COUNTER_CLEAR
  // This router's mesh position (strapped by the mesh; one router design for every position).
  input  logic [lifchip_pkg::COORD_BITS-1:0] x_i,
  input  logic [lifchip_pkg::COORD_BITS-1:0] y_i,
  // Input FIFO pushes, by port (the side the flit arrives from).
  input  logic [Ports-1:0]       in_push_i,
  input  logic [Ports*FlitW-1:0] in_flit_i,
  output logic [Ports*OccW-1:0]  in_occ_o,  // start-of-cycle occupancy, for the upstream side
  // Outputs: out_ready_i[o] is the readiness of output o (spec §10.3 step 2).
  input  logic [Ports-1:0]       out_ready_i,
  output logic [Ports-1:0]       out_valid_o,
  output logic [Ports*FlitW-1:0] out_flit_o,
  // Counter window: the selected id's value when it is a router counter, else 0.
  input  logic [4:0]             cnt_id_i,
  output logic [63:0]            cnt_o,
  output logic                   busy_o  // some input FIFO holds a flit
);

  // One copy of the simulation code shared by every instance (Verilator): 16 inlined copies
  // would cost compile time and instruction cache.
  /* verilator no_inline_module */

  localparam int unsigned PortW = $clog2(Ports);
  localparam int unsigned CoordW = lifchip_pkg::COORD_BITS;
  localparam logic [PortW-1:0] PL = PortW'(lifchip_pkg::PORT_LOCAL);
  localparam logic [PortW-1:0] PN = PortW'(lifchip_pkg::PORT_NORTH);
  localparam logic [PortW-1:0] PE = PortW'(lifchip_pkg::PORT_EAST);
  localparam logic [PortW-1:0] PS = PortW'(lifchip_pkg::PORT_SOUTH);
  localparam logic [PortW-1:0] PW = PortW'(lifchip_pkg::PORT_WEST);
  localparam logic [PortW-1:0] LastPort = PortW'(Ports - 1);
  localparam int unsigned LinkBase = lifchip_pkg::CNT_LINK_LOCAL;

  logic [FlitW-1:0] head [Ports];
  logic [OccW-1:0]  occ  [Ports];
  logic [Ports-1:0] pop;

  for (genvar p = 0; p < Ports; p++) begin : g_fifo
    lifchip_fifo #(
      .Width(FlitW),
      .Depth(lifchip_pkg::ROUTER_BUF_DEPTH)
    ) u_fifo (
      .clk_i,
      .rst_ni,
      .clr_i,
      .push_i (in_push_i[p]),
      .data_i (in_flit_i[p*FlitW+:FlitW]),
      .pop_i  (pop[p]),
      .data_o (head[p]),
      .count_o(occ[p])
    );
    assign in_occ_o[p*OccW+:OccW] = occ[p];
  end

  // Step 1: each non-empty input requests the output its head flit's XY route selects.
  logic [Ports-1:0] valid;
  logic [PortW-1:0] want [Ports];
  always_comb begin
    for (int p = 0; p < Ports; p++) begin
      logic [CoordW-1:0] dx, dy;
      dx = head[p][lifchip_pkg::PKT_X_LSB+:CoordW];
      dy = head[p][lifchip_pkg::PKT_Y_LSB+:CoordW];
      valid[p] = occ[p] != '0;
      if (dx > x_i) want[p] = PE;
      else if (dx < x_i) want[p] = PW;
      else if (dy > y_i) want[p] = PN;
      else if (dy < y_i) want[p] = PS;
      else want[p] = (head[p][lifchip_pkg::PKT_HOST_BIT] && x_i == '0 && y_i == '0) ? PW : PL;
    end
  end

  // Steps 2-4: each ready output grants the first requester at or after its round-robin pointer,
  // then points just past it.
  logic [Ports*PortW-1:0] rr_q, rr_d;  // rr[o] at [o*PortW +: PortW]
  always_comb begin
    logic [PortW-1:0] i;
    i = '0;
    pop = '0;
    out_valid_o = '0;
    out_flit_o = '0;
    rr_d = rr_q;
    if (valid != '0) begin  // an empty router grants nothing (and costs the simulator nothing)
      for (int o = 0; o < Ports; o++) begin
        i = rr_q[o*PortW+:PortW];
        for (int k = 0; k < Ports; k++) begin
          if (out_ready_i[o] && !out_valid_o[o] && valid[i] && want[i] == PortW'(o)) begin
            out_valid_o[o] = 1'b1;
            out_flit_o[o*FlitW+:FlitW] = head[i];
            pop[i] = 1'b1;
            rr_d[o*PortW+:PortW] = (i == LastPort) ? '0 : i + 1'b1;
          end
          i = (i == LastPort) ? '0 : i + 1'b1;
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rr_q <= '0;
    else if (clr_i) rr_q <= '0;
    else rr_q <= rr_d;
  end

  // Counters: flits out of each port (LINK_*), blocked heads, flits written into the FIFOs.
  logic [63:0] link_q [Ports];
  logic [63:0] blocked_q, flits_in_q;
  logic [2:0]  n_blocked, n_in;
  always_comb begin
    n_blocked = '0;
    n_in = '0;
    for (int p = 0; p < Ports; p++) begin
      n_blocked = n_blocked + {2'b0, valid[p] && !pop[p]};
      n_in = n_in + {2'b0, in_push_i[p]};
    end
  end

  for (genvar o = 0; o < Ports; o++) begin : g_link
    logic [63:0] value;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) value <= '0;
      else if (clr_i || cnt_clr_i) value <= '0;
      else if (out_valid_o[o]) value <= value + 64'd1;
    end
    assign link_q[o] = value;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      blocked_q  <= '0;
      flits_in_q <= '0;
    end else if (clr_i || cnt_clr_i) begin
      blocked_q  <= '0;
      flits_in_q <= '0;
    end else begin
      if (n_blocked != '0) blocked_q <= blocked_q + 64'(n_blocked);
      if (n_in != '0) flits_in_q <= flits_in_q + 64'(n_in);
    end
  end

  always_comb begin
    cnt_o = '0;
    for (int o = 0; o < Ports; o++) begin
      if (32'(cnt_id_i) == LinkBase + o) cnt_o = link_q[o];
    end
    if (32'(cnt_id_i) == lifchip_pkg::CNT_ROUTER_BLOCKED) cnt_o = blocked_q;
    if (32'(cnt_id_i) == lifchip_pkg::CNT_ROUTER_FLITS_IN) cnt_o = flits_in_q;
  end

  assign busy_o = |valid;

endmodule
