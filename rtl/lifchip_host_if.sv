// Host interface (spec §7): the register map behind a simple request/acknowledge bus, the image
// loader (lifchip_loader) and its CRC-32 (lifchip_crc32), the input and output spike FIFOs, the
// counter window (CNT_SEL/CNT_LO/CNT_HI) and the memory window (MEM_SEL/MEM_DATA).
//
// Bus handshake (docs/rtl.md): the master drives bus_req_i with bus_we_i, bus_addr_i and
// bus_wdata_i and holds them until it sees bus_ack_o. The access takes effect at the first rising
// edge with bus_req_i high and bus_ack_o low; bus_ack_o (with bus_rdata_o for a read) is high for
// the following cycle, during which the request is ignored. An access is HOST_ACCESS_CYCLES = 2
// cycles. Side channel: spike_out_cycle_o is the exit cycle (spec §10.4) of the entry the last
// SPIKE_OUT read popped.
module lifchip_host_if #(
  parameter int unsigned MeshW    = lifchip_pkg::MESH_WIDTH_DEFAULT,
  parameter int unsigned MeshH    = lifchip_pkg::MESH_HEIGHT_DEFAULT,
  parameter int unsigned Neurons  = lifchip_pkg::NEURONS_PER_CORE_DEFAULT,
  parameter int unsigned Axons    = lifchip_pkg::AXONS_PER_CORE_DEFAULT,
  parameter int unsigned Synapses = lifchip_pkg::SYNAPSES_PER_CORE_DEFAULT,
  parameter int unsigned Fanout   = lifchip_pkg::FANOUT_PER_CORE_DEFAULT,
  parameter int unsigned Profiles = lifchip_pkg::PROFILES_PER_CORE_DEFAULT,
  localparam int unsigned NCores = MeshW * MeshH,
  localparam int unsigned CoreW = (NCores > 1) ? $clog2(NCores) : 1,
  localparam int unsigned ACntW = $clog2(Axons + 1),
  localparam int unsigned FlitW = lifchip_pkg::PKT_BITS,
  localparam int unsigned LevelW = $clog2(lifchip_pkg::HOST_SPIKE_FIFO_DEPTH + 1),
  localparam int unsigned DimW = lifchip_pkg::COORD_BITS + 1
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // Host bus.
  input  logic                    bus_req_i,
  input  logic                    bus_we_i,
  input  logic [11:0]             bus_addr_i,
  input  logic [31:0]             bus_wdata_i,
  output logic                    bus_ack_o,
  output logic [31:0]             bus_rdata_o,
  output logic [31:0]             spike_out_cycle_o,
  // Chip control.
  output logic                    clr_o,        // clear the chip (load begin, commit, soft reset)
  output logic                    cnt_clr_o,    // COUNTER_CLEAR
  output logic                    learn_en_o,
  output logic [DimW-1:0]         mesh_w_o,     // W and H of the committed image (0 before)
  output logic [DimW-1:0]         mesh_h_o,
  output logic                    run_o,
  output logic [31:0]             run_steps_o,
  input  logic                    busy_i,
  input  logic [31:0]             timestep_i,
  input  logic [31:0]             cycle_i,
  // Image load into the cores.
  output logic                    ld_we_o,
  output logic [CoreW-1:0]        ld_core_o,
  output logic [3:0]              ld_sel_o,
  output logic [15:0]             ld_addr_o,
  output logic [31:0]             ld_data_o,
  input  logic [NCores*ACntW-1:0] axons_i,      // each core's A, for the SPIKE_IN check
  // Input spikes into router (0,0)'s west FIFO (popped by the step controller's INJECT).
  input  logic                    inject_pop_i,
  output logic [FlitW-1:0]        inject_pkt_o,
  output logic [LevelW-1:0]       spike_in_level_o,
  // Output spikes from router (0,0)'s west port.
  input  logic                    host_out_i,
  input  logic [FlitW-1:0]        host_out_pkt_i,
  // Counter window.
  output logic [4:0]              cnt_id_o,
  output logic [CoreW-1:0]        cnt_core_o,
  input  logic [63:0]             core_cnt_i,   // counter cnt_id_o of core cnt_core_o
  input  logic [63:0]             chip_cnt_i,   // chip counter cnt_id_o[2:0]
  // Memory window.
  output logic [CoreW-1:0]        rd_core_o,
  output logic [3:0]              rd_mem_o,
  output logic [15:0]             rd_addr_o,
  output logic [15:0]             rd_n3_o,
  output logic [1:0]              rd_s3_o,
  input  logic [31:0]             rd_data_i,
  input  logic                    rd_err_i
);

  localparam int unsigned Depth = lifchip_pkg::HOST_SPIKE_FIFO_DEPTH;
  localparam int unsigned AxW = lifchip_pkg::AXON_INDEX_BITS;
  localparam int unsigned StepW = 19;  // SPIKE_OUT carries the step modulo 2^19
  localparam int unsigned OutW = 32 + StepW + AxW;
  localparam int unsigned CoordW = lifchip_pkg::COORD_BITS;

  // ------------------------------------------------------------------ state
  logic        ack_q;
  logic [31:0] rdata_q;
  logic [31:0] error_q;
  logic        configured_q, loading_q, learn_q;
  logic [31:0] expect_q, cnt_sel_q, cnt_hi_q, mem_sel_q, out_cycle_q;
  logic [DimW-1:0] mesh_w_q, mesh_h_q;

  logic access, acc_rd, acc_wr;
  assign access = bus_req_i && !ack_q;
  assign acc_rd = access && !bus_we_i;
  assign acc_wr = access && bus_we_i;

  // ------------------------------------------------------------------ loader and CRC
  logic load_begin, load_commit, load_word;
  logic loader_complete, loader_learn;
  logic [DimW-1:0] loader_w, loader_h;
  logic [31:0] crc;

  lifchip_loader #(
    .MeshW(MeshW), .MeshH(MeshH), .Neurons(Neurons), .Axons(Axons), .Synapses(Synapses),
    .Fanout(Fanout), .Profiles(Profiles)
  ) u_loader (
    .clk_i,
    .rst_ni,
    .begin_i     (load_begin),
    .word_valid_i(load_word),
    .word_i      (bus_wdata_i),
    .ld_we_o,
    .ld_core_o,
    .ld_sel_o,
    .ld_addr_o,
    .ld_data_o,
    .complete_o  (loader_complete),
    .width_o     (loader_w),
    .height_o    (loader_h),
    .learn_o     (loader_learn)
  );

  lifchip_crc32 u_crc (
    .clk_i,
    .rst_ni,
    .init_i (load_begin),
    .valid_i(load_word),
    .word_i (bus_wdata_i),
    .crc_o  (crc)
  );

  // ------------------------------------------------------------------ spike FIFOs
  logic             in_push, in_clr, out_push, out_pop;
  logic [LevelW-1:0] in_level, out_level;
  logic [OutW-1:0]  out_head;

  lifchip_fifo #(
    .Width(FlitW),
    .Depth(Depth)
  ) u_spike_in (
    .clk_i,
    .rst_ni,
    .clr_i  (in_clr),
    .push_i (in_push),
    .data_i (bus_wdata_i[FlitW-1:0]),
    .pop_i  (inject_pop_i),
    .data_o (inject_pkt_o),
    .count_o(in_level)
  );

  lifchip_fifo #(
    .Width(OutW),
    .Depth(Depth)
  ) u_spike_out (
    .clk_i,
    .rst_ni,
    .clr_i  (in_clr),
    .push_i (out_push),
    .data_i ({cycle_i, timestep_i[StepW-1:0], host_out_pkt_i[AxW-1:0]}),
    .pop_i  (out_pop),
    .data_o (out_head),
    .count_o(out_level)
  );
  assign out_push = host_out_i && 32'(out_level) < Depth;
  assign spike_in_level_o = in_level;

  // ------------------------------------------------------------------ window decode
  // Core index y * W + x of the committed image -> mesh position y * MeshW + x.
  function automatic logic [CoreW:0] core_position(logic [7:0] core, logic [DimW-1:0] w,
                                                   logic [DimW-1:0] h);
    logic [CoreW:0] r;
    r = '0;
    for (int y = 0; y < MeshH; y++) begin
      for (int x = 0; x < MeshW; x++) begin
        if (32'(x) < 32'(w) && 32'(y) < 32'(h) && 32'(y) * 32'(w) + 32'(x) == 32'(core)) begin
          r = {1'b1, CoreW'(y * MeshW + x)};
        end
      end
    end
    core_position = r;
  endfunction

  logic [CoreW:0] cnt_pos, mem_pos;
  assign cnt_pos = core_position(cnt_sel_q[12:5], mesh_w_q, mesh_h_q);
  assign mem_pos = core_position(mem_sel_q[27:20], mesh_w_q, mesh_h_q);
  assign cnt_id_o = cnt_sel_q[4:0];
  assign cnt_core_o = cnt_pos[CoreW-1:0];
  assign rd_core_o = mem_pos[CoreW-1:0];
  assign rd_mem_o = mem_sel_q[19:16];
  assign rd_addr_o = mem_sel_q[15:0];
  assign rd_n3_o = mem_sel_q[15:0] / 16'd3;
  assign rd_s3_o = 2'(mem_sel_q[15:0] % 16'd3);

  // SPIKE_IN check: host bit clear, core inside the mesh, axon below the core's A.
  logic [CoordW-1:0] in_x, in_y;
  logic [ACntW-1:0]  in_a;
  logic              in_ok;
  assign in_x = bus_wdata_i[lifchip_pkg::PKT_X_LSB+:CoordW];
  assign in_y = bus_wdata_i[lifchip_pkg::PKT_Y_LSB+:CoordW];
  always_comb begin
    in_a = '0;
    for (int i = 0; i < NCores; i++) begin
      if (32'(in_y) * MeshW + 32'(in_x) == 32'(i)) in_a = axons_i[i*ACntW+:ACntW];
    end
    in_ok = !bus_wdata_i[lifchip_pkg::PKT_HOST_BIT] && DimW'(in_x) < mesh_w_q &&
            DimW'(in_y) < mesh_h_q && 32'(bus_wdata_i[AxW-1:0]) < 32'(in_a);
  end

  // ------------------------------------------------------------------ register access
  logic [31:0] rdata_d, error_set;
  logic        bus_err;
  logic        soft_reset, commit_ok;
  logic [31:0] status;
  assign status = {26'd0, error_q != '0, out_level != '0, 32'(in_level) >= Depth, loading_q,
                   configured_q, busy_i};

  always_comb begin
    rdata_d = '0;
    bus_err = 1'b0;
    error_set = '0;
    out_pop = 1'b0;
    in_push = 1'b0;
    load_begin = 1'b0;
    load_commit = 1'b0;
    load_word = 1'b0;
    soft_reset = 1'b0;
    cnt_clr_o = 1'b0;
    run_o = 1'b0;
    if (acc_rd) begin
      unique case (32'(bus_addr_i))
        lifchip_pkg::REG_ID: rdata_d = 32'(lifchip_pkg::REG_ID_VALUE);
        lifchip_pkg::REG_VERSION: begin
          rdata_d = {16'(lifchip_pkg::IMAGE_FORMAT_VERSION), 16'(lifchip_pkg::SPEC_VERSION)};
        end
        lifchip_pkg::REG_CTRL: rdata_d = {30'd0, learn_q, 1'b0};
        lifchip_pkg::REG_STATUS: rdata_d = status;
        lifchip_pkg::REG_ERROR: rdata_d = error_q;
        lifchip_pkg::REG_TIMESTEP: rdata_d = timestep_i;
        lifchip_pkg::REG_LOAD_CRC: rdata_d = crc;
        lifchip_pkg::REG_SPIKE_IN_LEVEL: rdata_d = 32'(in_level);
        lifchip_pkg::REG_SPIKE_OUT: begin
          if (out_level != '0) begin
            out_pop = 1'b1;
            rdata_d = {1'b1, out_head[AxW+:StepW], out_head[AxW-1:0]};
          end
        end
        lifchip_pkg::REG_SPIKE_OUT_LEVEL: rdata_d = 32'(out_level);
        lifchip_pkg::REG_CNT_LO: begin
          if (cnt_sel_q[lifchip_pkg::CNT_SEL_CHIP_BIT]) begin
            if (32'(cnt_sel_q[4:0]) < lifchip_pkg::CNT_CHIP_SLOTS) rdata_d = chip_cnt_i[31:0];
            else bus_err = 1'b1;
          end else if (configured_q && cnt_pos[CoreW]) begin
            rdata_d = core_cnt_i[31:0];
          end else begin
            bus_err = 1'b1;
          end
        end
        lifchip_pkg::REG_CNT_HI: rdata_d = cnt_hi_q;
        lifchip_pkg::REG_MEM_DATA: begin
          if (configured_q && mem_pos[CoreW] && !rd_err_i) rdata_d = rd_data_i;
          else bus_err = 1'b1;
        end
        default: bus_err = 1'b1;
      endcase
    end
    if (acc_wr) begin
      unique case (32'(bus_addr_i))
        lifchip_pkg::REG_CTRL: begin
          soft_reset = bus_wdata_i[0];
          cnt_clr_o = bus_wdata_i[2];
        end
        lifchip_pkg::REG_ERROR: ;
        lifchip_pkg::REG_RUN_STEPS: begin
          if (!configured_q || busy_i) error_set = 32'(lifchip_pkg::ERR_NOT_READY);
          else run_o = bus_wdata_i != '0;
        end
        lifchip_pkg::REG_LOAD_CTRL: begin
          if (bus_wdata_i == 32'd1) load_begin = 1'b1;
          else if (bus_wdata_i == 32'd2 && loading_q) load_commit = 1'b1;
          else bus_err = 1'b1;
        end
        lifchip_pkg::REG_LOAD_DATA: begin
          if (loading_q) load_word = 1'b1;
          else error_set = 32'(lifchip_pkg::ERR_NOT_READY);
        end
        lifchip_pkg::REG_LOAD_EXPECT: ;
        lifchip_pkg::REG_SPIKE_IN: begin
          if (!configured_q || busy_i) error_set = 32'(lifchip_pkg::ERR_NOT_READY);
          else if (32'(in_level) >= Depth) error_set = 32'(lifchip_pkg::ERR_SPIKE_IN_OVERFLOW);
          else if (!in_ok) bus_err = 1'b1;
          else in_push = 1'b1;
        end
        lifchip_pkg::REG_CNT_SEL: ;
        lifchip_pkg::REG_MEM_SEL: ;
        default: bus_err = 1'b1;
      endcase
    end
    // Commit: a short, long or rejected stream is ERR_IMAGE_RANGE, else the CRC must match.
    if (load_commit && !loader_complete) error_set = error_set | 32'(lifchip_pkg::ERR_IMAGE_RANGE);
    else if (load_commit && crc != expect_q) error_set = error_set | 32'(lifchip_pkg::ERR_CHECKSUM);
    if (bus_err) error_set = error_set | 32'(lifchip_pkg::ERR_BUS);
    if (host_out_i && 32'(out_level) >= Depth) begin
      error_set = error_set | 32'(lifchip_pkg::ERR_SPIKE_OUT_OVERFLOW);
    end
  end

  // Commit leaves the loaded memories alone: begin cleared the chip and nothing ran since.
  assign commit_ok = load_commit && loader_complete && crc == expect_q;
  assign clr_o = soft_reset || load_begin;
  assign in_clr = clr_o || commit_ok;
  assign run_steps_o = bus_wdata_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ack_q <= 1'b0;
      rdata_q <= '0;
      error_q <= '0;
      configured_q <= 1'b0;
      loading_q <= 1'b0;
      learn_q <= 1'b0;
      expect_q <= '0;
      cnt_sel_q <= '0;
      cnt_hi_q <= '0;
      mem_sel_q <= '0;
      out_cycle_q <= '0;
      mesh_w_q <= '0;
      mesh_h_q <= '0;
    end else begin
      ack_q <= access;
      if (access) rdata_q <= rdata_d;
      // ERROR: write-1-to-clear, then this cycle's new errors.
      if (soft_reset) begin
        error_q <= error_set;
      end else if (acc_wr && 32'(bus_addr_i) == lifchip_pkg::REG_ERROR) begin
        error_q <= (error_q & ~bus_wdata_i) | error_set;
      end else begin
        error_q <= error_q | error_set;
      end
      if (load_commit) loading_q <= 1'b0;
      if (commit_ok) begin
        configured_q <= 1'b1;
        learn_q <= loader_learn;
        mesh_w_q <= loader_w;
        mesh_h_q <= loader_h;
      end
      if (load_begin || soft_reset) begin
        configured_q <= 1'b0;
        learn_q <= 1'b0;
        mesh_w_q <= '0;
        mesh_h_q <= '0;
      end
      if (load_begin) loading_q <= 1'b1;
      if (soft_reset) loading_q <= 1'b0;
      if (acc_wr && 32'(bus_addr_i) == lifchip_pkg::REG_CTRL) learn_q <= bus_wdata_i[1];
      if (acc_wr && 32'(bus_addr_i) == lifchip_pkg::REG_LOAD_EXPECT) expect_q <= bus_wdata_i;
      if (acc_wr && 32'(bus_addr_i) == lifchip_pkg::REG_CNT_SEL) cnt_sel_q <= bus_wdata_i;
      if (acc_wr && 32'(bus_addr_i) == lifchip_pkg::REG_MEM_SEL) mem_sel_q <= bus_wdata_i;
      if (acc_rd && 32'(bus_addr_i) == lifchip_pkg::REG_CNT_LO && !bus_err) begin
        cnt_hi_q <= cnt_sel_q[lifchip_pkg::CNT_SEL_CHIP_BIT] ? chip_cnt_i[63:32] : core_cnt_i[63:32];
      end
      // MEM_DATA: the address increments after every read.
      if (acc_rd && 32'(bus_addr_i) == lifchip_pkg::REG_MEM_DATA) mem_sel_q[15:0] <= mem_sel_q[15:0] + 16'd1;
      if (out_pop) out_cycle_q <= out_head[OutW-1-:32];
    end
  end

  // The output packet's x, y and host bits (its channel is all the host keeps); MEM_SEL [31:28].
  logic unused_bits;
  assign unused_bits = ^{host_out_pkt_i[FlitW-1:AxW], mem_sel_q[31:28]};

  assign bus_ack_o = ack_q;
  assign bus_rdata_o = rdata_q;
  assign spike_out_cycle_o = out_cycle_q;
  assign learn_en_o = learn_q;
  assign mesh_w_o = mesh_w_q;
  assign mesh_h_o = mesh_h_q;

endmodule
