// The lifchip chip (spec §1): a MeshW x MeshH mesh of neuro-cores and routers, the host interface
// on router (0,0)'s west port and the step controller with the barrier. The mesh is built at its
// maximum size; an image of W x H <= MeshW x MeshH uses the corner x < W, y < H, and the other
// cores take no part in steps or the barrier (as the SystemC model, elaborated at 16 x 16).
module lifchip_top #(
  parameter int unsigned MeshW    = lifchip_pkg::MESH_WIDTH_DEFAULT,
  parameter int unsigned MeshH    = lifchip_pkg::MESH_HEIGHT_DEFAULT,
  parameter int unsigned Neurons  = lifchip_pkg::NEURONS_PER_CORE_DEFAULT,
  parameter int unsigned Axons    = lifchip_pkg::AXONS_PER_CORE_DEFAULT,
  parameter int unsigned Synapses = lifchip_pkg::SYNAPSES_PER_CORE_DEFAULT,
  parameter int unsigned Fanout   = lifchip_pkg::FANOUT_PER_CORE_DEFAULT,
  parameter int unsigned Profiles = lifchip_pkg::PROFILES_PER_CORE_DEFAULT
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Host bus (handshake in lifchip_host_if and docs/rtl.md).
  input  logic        bus_req_i,
  input  logic        bus_we_i,
  input  logic [11:0] bus_addr_i,
  input  logic [31:0] bus_wdata_i,
  output logic        bus_ack_o,
  output logic [31:0] bus_rdata_o,
  // Side channel: exit cycle of the output spike the last SPIKE_OUT read popped.
  output logic [31:0] spike_out_cycle_o
);

  localparam int unsigned NCores = MeshW * MeshH;
  localparam int unsigned CoreW = (NCores > 1) ? $clog2(NCores) : 1;
  localparam int unsigned Ports = lifchip_pkg::ROUTER_PORTS;
  localparam int unsigned FlitW = lifchip_pkg::PKT_BITS;
  localparam int unsigned OccW = $clog2(lifchip_pkg::ROUTER_BUF_DEPTH + 1);
  localparam int unsigned ACntW = $clog2(Axons + 1);
  localparam int unsigned EjW = $clog2(NCores + 1);
  localparam int unsigned LevelW = $clog2(lifchip_pkg::HOST_SPIKE_FIFO_DEPTH + 1);
  localparam int unsigned DimW = lifchip_pkg::COORD_BITS + 1;
  localparam int unsigned PL = lifchip_pkg::PORT_LOCAL;
  localparam int unsigned PN = lifchip_pkg::PORT_NORTH;
  localparam int unsigned PE = lifchip_pkg::PORT_EAST;
  localparam int unsigned PS = lifchip_pkg::PORT_SOUTH;
  localparam int unsigned PW = lifchip_pkg::PORT_WEST;
  localparam int unsigned Depth = lifchip_pkg::ROUTER_BUF_DEPTH;

  // ------------------------------------------------------------------ host interface, controller
  logic              clr, cnt_clr, learn_en, run, busy, go, step_end, inject_phase, inject_pop;
  logic [31:0]       run_steps, timestep, cycle;
  logic [DimW-1:0]   mesh_w, mesh_h;
  logic              ld_we;
  logic [CoreW-1:0]  ld_core;
  logic [3:0]        ld_sel;
  logic [15:0]       ld_addr;
  logic [31:0]       ld_data;
  logic [FlitW-1:0]  inject_pkt;
  logic [LevelW-1:0] spike_in_level;
  logic              host_out;
  logic [FlitW-1:0]  host_out_pkt;
  logic [4:0]        cnt_id;
  logic [CoreW-1:0]  cnt_core;
  logic [63:0]       chip_cnt;
  logic [CoreW-1:0]  rd_core;
  logic [3:0]        rd_mem;
  logic [15:0]       rd_addr, rd_n3;
  logic [1:0]        rd_s3;
  logic [NCores*ACntW-1:0] axons;
  logic [EjW-1:0]    ejects;
  logic              all_done, mesh_empty;

  // Per mesh position y * MeshW + x.
  logic [31:0]          core_rd_data [NCores];
  logic [NCores-1:0]    core_rd_err;
  logic [63:0]          core_cnt [NCores];
  logic [63:0]          router_cnt [NCores];
  logic [NCores-1:0]    core_done, router_busy, active;
  logic [Ports*OccW-1:0]  r_occ [NCores];
  logic [Ports-1:0]       r_out_valid [NCores];
  logic [Ports*FlitW-1:0] r_out_flit [NCores];
  logic [NCores-1:0]    c_pkt_valid;
  logic [FlitW-1:0]     c_pkt [NCores];

  lifchip_host_if #(
    .MeshW(MeshW), .MeshH(MeshH), .Neurons(Neurons), .Axons(Axons), .Synapses(Synapses),
    .Fanout(Fanout), .Profiles(Profiles)
  ) u_host_if (
    .clk_i,
    .rst_ni,
    .bus_req_i,
    .bus_we_i,
    .bus_addr_i,
    .bus_wdata_i,
    .bus_ack_o,
    .bus_rdata_o,
    .spike_out_cycle_o,
    .clr_o           (clr),
    .cnt_clr_o       (cnt_clr),
    .learn_en_o      (learn_en),
    .mesh_w_o        (mesh_w),
    .mesh_h_o        (mesh_h),
    .run_o           (run),
    .run_steps_o     (run_steps),
    .busy_i          (busy),
    .timestep_i      (timestep),
    .cycle_i         (cycle),
    .ld_we_o         (ld_we),
    .ld_core_o       (ld_core),
    .ld_sel_o        (ld_sel),
    .ld_addr_o       (ld_addr),
    .ld_data_o       (ld_data),
    .axons_i         (axons),
    .inject_pop_i    (inject_pop),
    .inject_pkt_o    (inject_pkt),
    .spike_in_level_o(spike_in_level),
    .host_out_i      (host_out),
    .host_out_pkt_i  (host_out_pkt),
    .cnt_id_o        (cnt_id),
    .cnt_core_o      (cnt_core),
    .core_cnt_i      (core_cnt[cnt_core] | router_cnt[cnt_core]),
    .chip_cnt_i      (chip_cnt),
    .rd_core_o       (rd_core),
    .rd_mem_o        (rd_mem),
    .rd_addr_o       (rd_addr),
    .rd_n3_o         (rd_n3),
    .rd_s3_o         (rd_s3),
    .rd_data_i       (core_rd_data[rd_core]),
    .rd_err_i        (core_rd_err[rd_core])
  );

  lifchip_step_ctrl #(
    .MeshW(MeshW), .MeshH(MeshH)
  ) u_step_ctrl (
    .clk_i,
    .rst_ni,
    .clr_i           (clr),
    .cnt_clr_i       (cnt_clr),
    .run_i           (run),
    .run_steps_i     (run_steps),
    .mesh_w_i        (mesh_w),
    .mesh_h_i        (mesh_h),
    .spike_in_level_i(spike_in_level),
    .inject_occ_i    (r_occ[0][PW*OccW+:OccW]),
    .ejects_i        (ejects),
    .all_done_i      (all_done),
    .mesh_empty_i    (mesh_empty),
    .host_out_i      (host_out),
    .busy_o          (busy),
    .go_o            (go),
    .step_end_o      (step_end),
    .inject_phase_o  (inject_phase),
    .inject_pop_o    (inject_pop),
    .cycle_o         (cycle),
    .timestep_o      (timestep),
    .chip_cnt_id_i   (cnt_id[2:0]),
    .chip_cnt_o      (chip_cnt)
  );

  assign host_out = r_out_valid[0][PW];
  assign host_out_pkt = r_out_flit[0][PW*FlitW+:FlitW];

  always_comb begin
    ejects = '0;
    for (int i = 0; i < NCores; i++) ejects = ejects + EjW'(r_out_valid[i][PL]);
  end
  assign all_done = &(core_done | ~active);
  assign mesh_empty = ~|router_busy;

  // ------------------------------------------------------------------ the mesh
  for (genvar y = 0; y < MeshH; y++) begin : g_row
    for (genvar x = 0; x < MeshW; x++) begin : g_col
      localparam int unsigned I = y * MeshW + x;
      logic core_active;
      assign core_active = 32'(x) < 32'(mesh_w) && 32'(y) < 32'(mesh_h);
      assign active[I] = core_active;

      lifchip_core #(
        .Neurons(Neurons), .Axons(Axons), .Synapses(Synapses), .Fanout(Fanout), .Profiles(Profiles)
      ) u_core (
        .clk_i,
        .rst_ni,
        .clr_i         (clr),
        .cnt_clr_i     (cnt_clr),
        .ld_we_i       (ld_we && ld_core == CoreW'(I)),
        .ld_sel_i      (ld_sel),
        .ld_addr_i     (ld_addr),
        .ld_data_i     (ld_data),
        .go_i          (go && core_active),
        .step_end_i    (step_end && core_active),
        .inject_phase_i(inject_phase),
        .learn_en_i    (learn_en),
        .done_o        (core_done[I]),
        .arrive_i      (r_out_valid[I][PL]),
        .arrive_pkt_i  (r_out_flit[I][PL*FlitW+:FlitW]),
        .pkt_valid_o   (c_pkt_valid[I]),
        .pkt_o         (c_pkt[I]),
        .local_occ_i   (r_occ[I][PL*OccW+:OccW]),
        .rd_mem_i      (rd_mem),
        .rd_addr_i     (rd_addr),
        .rd_n3_i       (rd_n3),
        .rd_s3_i       (rd_s3),
        .rd_data_o     (core_rd_data[I]),
        .rd_err_o      (core_rd_err[I]),
        .cnt_id_i      (cnt_id),
        .cnt_o         (core_cnt[I]),
        .axons_o       (axons[I*ACntW+:ACntW])
      );

      // Input side of each port: the neighbour's output that faces this router (the host link
      // at (0,0)'s west port); output readiness: the core and the host always accept, a link needs
      // room in the neighbour's FIFO at the start of the cycle (spec §10.3).
      logic [Ports-1:0]       in_push, out_ready;
      logic [Ports*FlitW-1:0] in_flit;
      assign in_push[PL] = c_pkt_valid[I];
      assign in_flit[PL*FlitW+:FlitW] = c_pkt[I];
      assign out_ready[PL] = 1'b1;
      if (y + 1 < MeshH) begin : g_north
        assign in_push[PN] = r_out_valid[I+MeshW][PS];
        assign in_flit[PN*FlitW+:FlitW] = r_out_flit[I+MeshW][PS*FlitW+:FlitW];
        assign out_ready[PN] = 32'(r_occ[I+MeshW][PS*OccW+:OccW]) < Depth;
      end else begin : g_north_edge
        assign in_push[PN] = 1'b0;
        assign in_flit[PN*FlitW+:FlitW] = '0;
        assign out_ready[PN] = 1'b0;
      end
      if (x + 1 < MeshW) begin : g_east
        assign in_push[PE] = r_out_valid[I+1][PW];
        assign in_flit[PE*FlitW+:FlitW] = r_out_flit[I+1][PW*FlitW+:FlitW];
        assign out_ready[PE] = 32'(r_occ[I+1][PW*OccW+:OccW]) < Depth;
      end else begin : g_east_edge
        assign in_push[PE] = 1'b0;
        assign in_flit[PE*FlitW+:FlitW] = '0;
        assign out_ready[PE] = 1'b0;
      end
      if (y > 0) begin : g_south
        assign in_push[PS] = r_out_valid[I-MeshW][PN];
        assign in_flit[PS*FlitW+:FlitW] = r_out_flit[I-MeshW][PN*FlitW+:FlitW];
        assign out_ready[PS] = 32'(r_occ[I-MeshW][PN*OccW+:OccW]) < Depth;
      end else begin : g_south_edge
        assign in_push[PS] = 1'b0;
        assign in_flit[PS*FlitW+:FlitW] = '0;
        assign out_ready[PS] = 1'b0;
      end
      if (x > 0) begin : g_west
        assign in_push[PW] = r_out_valid[I-1][PE];
        assign in_flit[PW*FlitW+:FlitW] = r_out_flit[I-1][PE*FlitW+:FlitW];
        assign out_ready[PW] = 32'(r_occ[I-1][PE*OccW+:OccW]) < Depth;
      end else if (y == 0) begin : g_host
        assign in_push[PW] = inject_pop;
        assign in_flit[PW*FlitW+:FlitW] = inject_pkt;
        assign out_ready[PW] = 1'b1;
      end else begin : g_west_edge
        assign in_push[PW] = 1'b0;
        assign in_flit[PW*FlitW+:FlitW] = '0;
        assign out_ready[PW] = 1'b0;
      end

      lifchip_router u_router (
        .clk_i,
        .rst_ni,
        .clr_i      (clr),
        .cnt_clr_i  (cnt_clr),
        .x_i        (lifchip_pkg::COORD_BITS'(x)),
        .y_i        (lifchip_pkg::COORD_BITS'(y)),
        .in_push_i  (in_push),
        .in_flit_i  (in_flit),
        .in_occ_o   (r_occ[I]),
        .out_ready_i(out_ready),
        .out_valid_o(r_out_valid[I]),
        .out_flit_o (r_out_flit[I]),
        .cnt_id_i   (cnt_id),
        .cnt_o      (router_cnt[I]),
        .busy_o     (router_busy[I])
      );
    end
  end

endmodule
