#!/usr/bin/env python3
"""PyTorch reference timings for dev.gymrpc.agents.bench.UpdateBench (same shapes, same thread count).

Cases (CPU, float32, torch.set_num_threads(THREADS), default 1):
  * full Discrete SAC update, CleanRL-style (batch 256, obs 8, 4 actions, hidden [256]): soft target
    with exact expectation, twin-critic MSE with one Adam, actor loss against the updated critics,
    temperature loss on log alpha, Polyak averaging of both targets;
  * full continuous SAC update, CleanRL sac_continuous_action.py structure with the actor stepped every
    update (batch 256, obs 8, 2 action dimensions, hidden [256, 256]): tanh-squashed Gaussian with the
    log-prob correction, twin-critic MSE, actor loss through the updated critics, temperature toward -|A|,
    Polyak averaging (tau 0.01);
  * one PPO epoch: 2048 samples in minibatches of 64, separate [64,64] actor and critic, critic step
    then actor step (clipped surrogate + entropy);
  * one MLP 8-256-4 forward and forward+backward at batch 256;
  * single-observation action (actor forward + sample / argmax).

Prints wall and process-CPU microseconds per call. Usage:
  python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch numpy
  /tmp/torchvenv/bin/python agents/bench/torch_reference.py [seconds-per-case] [threads]
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SECS = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.set_num_threads(THREADS)
torch.manual_seed(0)
OBS, NA, B, H = 8, 4, 256, 256


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def bench(name, fn):
    warm_end = time.perf_counter() + 0.3 * SECS
    while time.perf_counter() < warm_end:
        fn()
    n = 0
    t0, c0 = time.perf_counter(), time.process_time()
    end = t0 + SECS
    while time.perf_counter() < end:
        fn()
        n += 1
    wall = (time.perf_counter() - t0) / n * 1e6
    cpu = (time.process_time() - c0) / n * 1e6
    print(f"{name:45s} wall {wall:10.1f} us   cpu {cpu:10.1f} us  ({n} iters)")


# --- MLP pieces ---
net = mlp([OBS, H, NA])
x = torch.randn(B, OBS)
d = torch.full((B, NA), 0.001)
opt_net = torch.optim.Adam(net.parameters(), lr=3e-4)


def fwd():
    with torch.no_grad():
        net(x)


def fwd_bwd():
    opt_net.zero_grad(set_to_none=True)
    net(x).backward(d)


bench("mlp forward 8-256-4 b256", fwd)
bench("mlp forward+backward 8-256-4 b256", fwd_bwd)

# --- Discrete SAC (CleanRL sac_atari.py structure, MLP networks) ---
actor, qf1, qf2 = mlp([OBS, H, NA]), mlp([OBS, H, NA]), mlp([OBS, H, NA])
qf1_t, qf2_t = mlp([OBS, H, NA]), mlp([OBS, H, NA])
qf1_t.load_state_dict(qf1.state_dict())
qf2_t.load_state_dict(qf2.state_dict())
q_opt = torch.optim.Adam(list(qf1.parameters()) + list(qf2.parameters()), lr=3e-4)
a_opt = torch.optim.Adam(actor.parameters(), lr=3e-4)
log_alpha = torch.zeros(1, requires_grad=True)
alpha_opt = torch.optim.Adam([log_alpha], lr=3e-4)
target_entropy = 0.6 * torch.log(torch.tensor(float(NA)))
N = 10_000
buf_obs, buf_next = torch.randn(N, OBS), torch.randn(N, OBS)
buf_act = torch.randint(0, NA, (N,))
buf_rew = torch.randn(N)
buf_term = (torch.rand(N) < 0.01).float()
gamma, tau = 0.99, 0.005
online = list(qf1.parameters()) + list(qf2.parameters())
targets = list(qf1_t.parameters()) + list(qf2_t.parameters())


def sac_update():
    idx = torch.randint(0, N, (B,))
    obs, nxt, act, rew, term = buf_obs[idx], buf_next[idx], buf_act[idx], buf_rew[idx], buf_term[idx]
    alpha = log_alpha.exp().detach()
    with torch.no_grad():
        logits = actor(nxt)
        logp = F.log_softmax(logits, -1)
        p = logp.exp()
        v = (p * (torch.min(qf1_t(nxt), qf2_t(nxt)) - alpha * logp)).sum(-1)
        y = rew + gamma * (1 - term) * v
    q1 = qf1(obs).gather(1, act[:, None]).squeeze(1)
    q2 = qf2(obs).gather(1, act[:, None]).squeeze(1)
    q_loss = F.mse_loss(q1, y) + F.mse_loss(q2, y)
    q_opt.zero_grad(set_to_none=True)
    q_loss.backward()
    q_opt.step()
    logits = actor(obs)
    logp = F.log_softmax(logits, -1)
    p = logp.exp()
    with torch.no_grad():
        mq = torch.min(qf1(obs), qf2(obs))
    actor_loss = (p * (alpha * logp - mq)).sum(-1).mean()
    a_opt.zero_grad(set_to_none=True)
    actor_loss.backward()
    a_opt.step()
    alpha_loss = (p.detach() * (-log_alpha.exp() * (logp.detach() + target_entropy))).sum(-1).mean()
    alpha_opt.zero_grad(set_to_none=True)
    alpha_loss.backward()
    alpha_opt.step()
    with torch.no_grad():
        torch._foreach_mul_(targets, 1 - tau)
        torch._foreach_add_(targets, online, alpha=tau)


bench("SAC full update b256 [256] plain", sac_update)

# --- Continuous SAC (CleanRL sac_continuous_action.py structure; actor every update as SB3) ---
AD, H2 = 2, [256, 256]
LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0
c_actor = mlp([OBS] + H2 + [2 * AD])
c_qf1, c_qf2 = mlp([OBS + AD] + H2 + [1]), mlp([OBS + AD] + H2 + [1])
c_qf1_t, c_qf2_t = mlp([OBS + AD] + H2 + [1]), mlp([OBS + AD] + H2 + [1])
c_qf1_t.load_state_dict(c_qf1.state_dict())
c_qf2_t.load_state_dict(c_qf2.state_dict())
c_q_opt = torch.optim.Adam(list(c_qf1.parameters()) + list(c_qf2.parameters()), lr=7.3e-4)
c_a_opt = torch.optim.Adam(c_actor.parameters(), lr=7.3e-4)
c_log_alpha = torch.zeros(1, requires_grad=True)
c_alpha_opt = torch.optim.Adam([c_log_alpha], lr=7.3e-4)
c_target_entropy = -float(AD)
c_buf_act = torch.rand(N, AD) * 2 - 1
c_online = list(c_qf1.parameters()) + list(c_qf2.parameters())
c_targets = list(c_qf1_t.parameters()) + list(c_qf2_t.parameters())


def c_get_action(x):
    out = c_actor(x)
    mean, log_std = out[:, :AD], out[:, AD:]
    log_std = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (torch.tanh(log_std) + 1)
    std = log_std.exp()
    normal = torch.distributions.Normal(mean, std)
    x_t = normal.rsample()
    y_t = torch.tanh(x_t)
    log_prob = normal.log_prob(x_t) - torch.log(1 - y_t.pow(2) + 1e-6)
    return y_t, log_prob.sum(1)


def csac_update():
    idx = torch.randint(0, N, (B,))
    obs, nxt, act, rew, term = buf_obs[idx], buf_next[idx], c_buf_act[idx], buf_rew[idx], buf_term[idx]
    alpha = c_log_alpha.exp().detach()
    with torch.no_grad():
        na, nlp = c_get_action(nxt)
        sa2 = torch.cat([nxt, na], 1)
        v = torch.min(c_qf1_t(sa2), c_qf2_t(sa2)).squeeze(1) - alpha * nlp
        y = rew + gamma * (1 - term) * v
    sa = torch.cat([obs, act], 1)
    q_loss = F.mse_loss(c_qf1(sa).squeeze(1), y) + F.mse_loss(c_qf2(sa).squeeze(1), y)
    c_q_opt.zero_grad(set_to_none=True)
    q_loss.backward()
    c_q_opt.step()
    pa, lp = c_get_action(obs)
    spa = torch.cat([obs, pa], 1)
    mq = torch.min(c_qf1(spa), c_qf2(spa)).squeeze(1)
    actor_loss = (alpha * lp - mq).mean()
    c_a_opt.zero_grad(set_to_none=True)
    actor_loss.backward()
    c_a_opt.step()
    alpha_loss = (-c_log_alpha.exp() * (lp.detach() + c_target_entropy)).mean()
    c_alpha_opt.zero_grad(set_to_none=True)
    alpha_loss.backward()
    c_alpha_opt.step()
    with torch.no_grad():
        torch._foreach_mul_(c_targets, 1 - 0.01)
        torch._foreach_add_(c_targets, c_online, alpha=0.01)


bench("SAC-continuous update b256 [256,256] plain", csac_update)

# --- PPO epoch ---
pa, pc = mlp([OBS, 64, 64, NA]), mlp([OBS, 64, 64, 1])
pa_opt = torch.optim.Adam(pa.parameters(), lr=3e-4)
pc_opt = torch.optim.Adam(pc.parameters(), lr=3e-4)
M = 2048
r_obs, r_act = torch.randn(M, OBS), torch.randint(0, NA, (M,))
r_logp = torch.full((M,), float(torch.log(torch.tensor(0.25))))
r_adv, r_ret = torch.randn(M), torch.randn(M)


def ppo_epoch():
    perm = torch.randperm(M)
    for s in range(0, M, 64):
        i = perm[s:s + 64]
        v = pc(r_obs[i]).squeeze(-1)
        v_loss = 0.5 * ((v - r_ret[i]) ** 2).mean()
        pc_opt.zero_grad(set_to_none=True)
        v_loss.backward()
        pc_opt.step()
        adv = r_adv[i]
        adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        logp_all = F.log_softmax(pa(r_obs[i]), -1)
        logp = logp_all.gather(1, r_act[i][:, None]).squeeze(1)
        ratio = (logp - r_logp[i]).exp()
        pg = -torch.min(ratio * adv, ratio.clamp(0.8, 1.2) * adv).mean()
        ent = -(logp_all.exp() * logp_all).sum(-1).mean()
        loss = pg - 0.01 * ent
        pa_opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(pa.parameters(), 0.5)
        pa_opt.step()


bench("PPO epoch 2048 samples mb64 [64,64]", ppo_epoch)

# --- acting ---
one = torch.zeros(1, OBS)


def act_sample():
    with torch.no_grad():
        return torch.distributions.Categorical(logits=actor(one)).sample().item()


def act_argmax():
    with torch.no_grad():
        return actor(one).argmax(-1).item()


bench("single-obs action (sampled) [256]", act_sample)
bench("single-obs action (argmax) [256]", act_argmax)
