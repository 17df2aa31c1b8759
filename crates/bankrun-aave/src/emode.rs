//! Liquid e-mode (v3.2+) with the v3.6 LTV-zero bitmap.

use crate::AssetId;
use crate::config::BPS;
use crate::error::PoolError;
use crate::reserve::ReserveData;
use bankrun_math::U256;
use bankrun_math::percentage::percent_mul;

/// An e-mode category (`DataTypes.EModeCategory`, aave-v3-origin v3.6.0).
///
/// Bitmaps are indexed by [`AssetId`] (bit `i` = reserve `i`). The LTV/LT/bonus of the
/// category apply only to collateral whose bit is set in `collateral_bitmap`; borrowing
/// in the category requires the bit in `borrowable_bitmap`; a collateral whose bit is
/// also set in `ltvzero_bitmap` is treated as LTV 0 (v3.6 "ltv0 rules") inside the
/// category.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct EModeCategory {
    /// Category id, 1..=255 (0 is the reserved "no e-mode").
    pub id: u8,
    /// Label (soft-deprecated in v3.6).
    pub label: String,
    /// LTV in bps for in-category collateral.
    pub ltv: u16,
    /// Liquidation threshold in bps for in-category collateral.
    pub liquidation_threshold: u16,
    /// Liquidation bonus in bps for in-category collateral.
    pub liquidation_bonus: u16,
    /// Reserves that get the category LTV/LT/bonus when used as collateral.
    pub collateral_bitmap: u128,
    /// Reserves borrowable by users in this category.
    pub borrowable_bitmap: u128,
    /// v3.6 `ltvzeroBitmap`: in-category collateral treated as LTV 0. Must be a subset
    /// of `collateral_bitmap`. Set automatically by [`crate::Pool::set_reserve_freeze`].
    pub ltvzero_bitmap: u128,
}

/// `EModeConfiguration.isReserveEnabledOnBitmap`: bit `id` of `bitmap`
/// (false for ids ≥ 128).
#[inline]
pub fn is_reserve_enabled_on_bitmap(bitmap: u128, id: AssetId) -> bool {
    id < 128 && (bitmap >> id) & 1 == 1
}

/// `EModeConfiguration.setReserveBitmapBit` (ids ≥ 128 are ignored).
#[inline]
pub fn set_reserve_bitmap_bit(bitmap: u128, id: AssetId, enabled: bool) -> u128 {
    if id >= 128 {
        return bitmap;
    }
    if enabled {
        bitmap | (1u128 << id)
    } else {
        bitmap & !(1u128 << id)
    }
}

/// The LTV (bps) a reserve has as collateral for a user in `category_id`: the category
/// LTV if the reserve is category collateral (0 if also in the LTV-zero bitmap),
/// otherwise the reserve's own (effective) LTV.
///
/// Reproduces `ValidationLogic.getUserReserveLtv` (aave-v3-origin v3.6.0).
#[inline]
pub fn user_reserve_ltv(reserve: &ReserveData, cat: &EModeCategory, category_id: u8) -> u16 {
    if category_id != 0 && is_reserve_enabled_on_bitmap(cat.collateral_bitmap, reserve.id) {
        if is_reserve_enabled_on_bitmap(cat.ltvzero_bitmap, reserve.id) {
            return 0;
        }
        return cat.ltv;
    }
    reserve.config.ltv
}

/// The liquidation threshold (bps) of a reserve for a user in `category_id`, as used by
/// `GenericLogic.calculateUserAccountData` (category LT for category collateral).
#[inline]
pub fn user_reserve_liquidation_threshold(
    reserve: &ReserveData,
    cat: &EModeCategory,
    category_id: u8,
) -> u16 {
    if category_id != 0 && is_reserve_enabled_on_bitmap(cat.collateral_bitmap, reserve.id) {
        return cat.liquidation_threshold;
    }
    reserve.config.liquidation_threshold
}

/// The liquidation bonus (bps) applied when `reserve` is seized from a user in
/// `category_id`, as `LiquidationLogic.executeLiquidationCall` selects it.
#[inline]
pub fn user_reserve_liquidation_bonus(
    reserve: &ReserveData,
    cat: &EModeCategory,
    category_id: u8,
) -> u16 {
    if category_id != 0 && is_reserve_enabled_on_bitmap(cat.collateral_bitmap, reserve.id) {
        return cat.liquidation_bonus;
    }
    reserve.config.liquidation_bonus
}

/// Parameter checks of `PoolConfigurator.setEModeCategory` and
/// `Pool.configureEModeCategory`: id ≠ 0, `ltv ≠ 0`, `LT ≠ 0`, `ltv ≤ LT`,
/// `bonus > 10000`, `percentMul(LT, bonus) ≤ 10000`.
///
/// Errors: [`PoolError::EModeCategoryReserved`], [`PoolError::InvalidEmodeCategoryParams`].
pub fn validate_emode_params(cat: &EModeCategory) -> Result<(), PoolError> {
    if cat.id == 0 {
        return Err(PoolError::EModeCategoryReserved);
    }
    let lt = cat.liquidation_threshold;
    let lt_bonus = percent_mul(U256::from(lt), U256::from(cat.liquidation_bonus))?;
    if cat.ltv == 0
        || lt == 0
        || cat.ltv > lt
        || cat.liquidation_bonus <= BPS
        || lt_bonus > U256::from(BPS)
    {
        return Err(PoolError::InvalidEmodeCategoryParams);
    }
    Ok(())
}
