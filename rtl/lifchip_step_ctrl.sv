// Step controller and barrier (spec §5, §10.4): runs RUN_STEPS steps back to back. A step's cycle 0
// follows one set-up cycle in which the controller either starts the cores (no input spikes, T_inj
// = 0) or opens the INJECT phase; during INJECT the host interface pushes one input packet per
// cycle into router (0,0)'s west FIFO and the controller counts their ejections, starting the cores
// in the cycle after the last one (T_inj). The barrier sees every core done and the mesh empty in
// cycle M = max(C_done, mesh empty) and ends the step after E = M + BARRIER_BASE + W + H cycles.
// Keeps the chip counters (spec §8, §10.5) and the step counter.
module lifchip_step_ctrl #(
  parameter int unsigned MeshW = lifchip_pkg::MESH_WIDTH_DEFAULT,
  parameter int unsigned MeshH = lifchip_pkg::MESH_HEIGHT_DEFAULT,
  localparam int unsigned NCores = MeshW * MeshH,
  localparam int unsigned EjW = $clog2(NCores + 1),
  localparam int unsigned OccW = $clog2(lifchip_pkg::ROUTER_BUF_DEPTH + 1),
  localparam int unsigned LevelW = $clog2(lifchip_pkg::HOST_SPIKE_FIFO_DEPTH + 1),
  localparam int unsigned DimW = lifchip_pkg::COORD_BITS + 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              clr_i,            // image load begin / commit / soft reset
  input  logic              cnt_clr_i,        // COUNTER_CLEAR
  input  logic              run_i,            // RUN_STEPS accepted
  input  logic [31:0]       run_steps_i,
  input  logic [DimW-1:0]   mesh_w_i,
  input  logic [DimW-1:0]   mesh_h_i,
  input  logic [LevelW-1:0] spike_in_level_i,
  input  logic [OccW-1:0]   inject_occ_i,     // router (0,0) west FIFO, start-of-cycle occupancy
  input  logic [EjW-1:0]    ejects_i,         // packets ejected to cores in this cycle
  input  logic              all_done_i,       // every core of the W x H mesh is done
  input  logic              mesh_empty_i,     // every router FIFO is empty
  input  logic              host_out_i,       // a packet left through router (0,0)'s west port
  output logic              busy_o,
  output logic              go_o,             // cores start DELIVER in the next cycle
  output logic              step_end_o,       // the step's last cycle
  output logic              inject_phase_o,
  output logic              inject_pop_o,     // push the next input packet into the mesh
  output logic [31:0]       cycle_o,          // cycle within the step
  output logic [31:0]       timestep_o,
  input  logic [2:0]        chip_cnt_id_i,
  output logic [63:0]       chip_cnt_o
);

  typedef enum logic [1:0] {CIdle, CPre, CRun} state_e;

  state_e      state_q, state_d;
  logic [31:0] steps_q, steps_d;     // steps left, including the current one
  logic [31:0] cyc_q, cyc_d;
  logic        inj_q, inj_d;         // INJECT phase
  logic [LevelW-1:0] left_q, left_d; // injected packets not yet ejected
  logic [31:0] t_inj_q, t_inj_d;
  logic        barrier_q, barrier_d;
  logic [31:0] end_q, end_d;         // E, once the barrier has seen cycle M
  logic [31:0] timestep_q;

  always_comb begin
    state_d = state_q;
    steps_d = steps_q;
    cyc_d = cyc_q;
    inj_d = inj_q;
    left_d = left_q;
    t_inj_d = t_inj_q;
    barrier_d = barrier_q;
    end_d = end_q;
    go_o = 1'b0;
    step_end_o = 1'b0;
    inject_pop_o = 1'b0;
    unique case (state_q)
      CIdle: begin
        if (run_i && run_steps_i != '0) begin
          steps_d = run_steps_i;
          state_d = CPre;
        end
      end
      CPre: begin
        cyc_d = '0;
        barrier_d = 1'b0;
        t_inj_d = '0;
        if (spike_in_level_i == '0) begin
          go_o = 1'b1;
          inj_d = 1'b0;
        end else begin
          inj_d = 1'b1;
          left_d = spike_in_level_i;
        end
        state_d = CRun;
      end
      CRun: begin
        cyc_d = cyc_q + 1;
        if (inj_q) begin
          logic [LevelW-1:0] left;
          inject_pop_o = spike_in_level_i != '0 &&
                         32'(inject_occ_i) < lifchip_pkg::ROUTER_BUF_DEPTH;
          left = left_q - LevelW'(ejects_i);
          left_d = left;
          if (left == '0) begin
            go_o = 1'b1;
            inj_d = 1'b0;
            t_inj_d = cyc_q + 1;
          end
        end else if (!barrier_q && all_done_i && mesh_empty_i) begin
          barrier_d = 1'b1;
          end_d = cyc_q + 32'(lifchip_pkg::BARRIER_BASE) + 32'(mesh_w_i) + 32'(mesh_h_i);
        end
        if (barrier_q && cyc_q + 1 == end_q) begin
          step_end_o = 1'b1;
          steps_d = steps_q - 1;
          state_d = (steps_q == 32'd1) ? CIdle : CPre;
        end
      end
      default: state_d = CIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= CIdle;
      steps_q <= '0;
      cyc_q <= '0;
      inj_q <= 1'b0;
      left_q <= '0;
      t_inj_q <= '0;
      barrier_q <= 1'b0;
      end_q <= '0;
      timestep_q <= '0;
    end else if (clr_i) begin
      state_q <= CIdle;
      steps_q <= '0;
      cyc_q <= '0;
      inj_q <= 1'b0;
      left_q <= '0;
      barrier_q <= 1'b0;
      timestep_q <= '0;
    end else begin
      state_q <= state_d;
      steps_q <= steps_d;
      cyc_q <= cyc_d;
      inj_q <= inj_d;
      left_q <= left_d;
      t_inj_q <= t_inj_d;
      barrier_q <= barrier_d;
      end_q <= end_d;
      if (step_end_o) timestep_q <= timestep_q + 1;
    end
  end

  // Chip counters: HOST_IN, HOST_OUT, TIMESTEPS, CYCLES (sum of E), INJECT_CYCLES (sum of T_inj).
  logic [63:0] host_in_q, host_out_q, steps_done_q, cycles_q, inject_cycles_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      host_in_q <= '0;
      host_out_q <= '0;
      steps_done_q <= '0;
      cycles_q <= '0;
      inject_cycles_q <= '0;
    end else if (clr_i || cnt_clr_i) begin
      host_in_q <= '0;
      host_out_q <= '0;
      steps_done_q <= '0;
      cycles_q <= '0;
      inject_cycles_q <= '0;
    end else begin
      if (inject_pop_o) host_in_q <= host_in_q + 64'd1;
      if (host_out_i) host_out_q <= host_out_q + 64'd1;
      if (step_end_o) begin
        steps_done_q <= steps_done_q + 64'd1;
        cycles_q <= cycles_q + 64'(end_q);
        inject_cycles_q <= inject_cycles_q + 64'(t_inj_q);
      end
    end
  end

  always_comb begin
    unique case (32'(chip_cnt_id_i))
      lifchip_pkg::CNT_CHIP_HOST_IN: chip_cnt_o = host_in_q;
      lifchip_pkg::CNT_CHIP_HOST_OUT: chip_cnt_o = host_out_q;
      lifchip_pkg::CNT_CHIP_TIMESTEPS: chip_cnt_o = steps_done_q;
      lifchip_pkg::CNT_CHIP_CYCLES: chip_cnt_o = cycles_q;
      lifchip_pkg::CNT_CHIP_INJECT_CYCLES: chip_cnt_o = inject_cycles_q;
      default: chip_cnt_o = '0;
    endcase
  end

  assign busy_o = state_q != CIdle;
  assign inject_phase_o = inj_q;
  assign cycle_o = cyc_q;
  assign timestep_o = timestep_q;

endmodule
